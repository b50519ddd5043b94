package io.chatplatform.chat.api;

/** 202 body of an asynchronous turn; the answer arrives as events. */
public record Accepted(String sessionId, String messageId) {
}

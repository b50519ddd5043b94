package io.chatplatform.chat.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** 202 body of an asynchronous turn; the answer arrives as events. Returned inside a Response, hence registered. */
@RegisterForReflection
public record Accepted(String sessionId, String messageId) {
}

package io.chatplatform.chat.api;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.UUID;

/**
 * Body of {@code POST /api/chat}. The length limit is checked in the service (413, not 400), and so is the rule
 * that ties the fields together ({@code message} is required unless {@code regenerate_of} names the user message to
 * answer again; {@code edit_of} and {@code regenerate_of} exclude each other): see {@code TurnRequest}.
 */
public record ChatRequest(
        UUID sessionId,
        String message,
        @Size(min = 1, max = 128) @Pattern(regexp = "[A-Za-z0-9._:-]+") String clientMessageId,
        UUID editOf,
        UUID regenerateOf) {
}

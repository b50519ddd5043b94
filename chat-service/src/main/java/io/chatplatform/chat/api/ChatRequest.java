package io.chatplatform.chat.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.UUID;

/** Body of {@code POST /api/chat}. The length limit is checked in the service (413, not 400). */
public record ChatRequest(
        UUID sessionId,
        @NotNull(message = "message is required") String message,
        @Size(min = 1, max = 128) @Pattern(regexp = "[A-Za-z0-9._:-]+") String clientMessageId) {
}

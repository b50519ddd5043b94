package io.chatplatform.session.message;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code POST /api/sessions/{id}/messages}. */
public record AppendMessage(
        @NotNull @Pattern(regexp = "user|assistant|system|tool", message = "must be one of user, assistant, system, tool") String role,
        @NotNull String content,
        @Size(min = 1, max = 128) String clientMessageId,
        JsonNode metadata) {
}

package io.chatplatform.session.turn;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * {@code PUT /api/sessions/{id}/answers/{answer_id}}: the answer so far. {@code finish_reason} null means
 * it is still growing; once set, the answer is final.
 */
public record WriteAnswer(
        @NotNull String content,
        JsonNode metadata,
        @Pattern(regexp = "stop|length|cancelled|error|tool_calls",
                message = "must be one of stop, length, cancelled, error, tool_calls") String finishReason) {
}

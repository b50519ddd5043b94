package io.chatplatform.chat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** Result of a turn (the synchronous answer); also stored in Redis for idempotent retries, hence registered for reflection. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TurnResult(String sessionId, String messageId, String response, List<ToolCall> toolCalls,
                           Usage usage, String model, Long latencyMs, Long ttftMs, String finishReason,
                           Boolean cancelled, Boolean truncated) {

    @RegisterForReflection
    public record Usage(long promptTokens, long completionTokens) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolCall(String tool, Object arguments, boolean ok, String summary) {
    }
}

package io.chatplatform.llmstub;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/**
 * Wire records of the OpenAI chat-completions API (only the fields the stand-in emits).
 * Serialised by hand with the snake_case ObjectMapper on the Vert.x route, hence registered for reflection.
 */
public final class Dtos {
    private Dtos() {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatCompletion(String id, String object, long created, String model, String systemFingerprint,
                                 List<Choice> choices, Usage usage) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Choice(int index, Message message, Message delta, String finishReason) {
    }

    /** Used both as a full message and as a streaming delta (absent fields are omitted). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String role, String content, List<ToolCall> toolCalls) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolCall(Integer index, String id, String type, FunctionCall function) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FunctionCall(String name, String arguments) {
    }

    @RegisterForReflection
    public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    }

    @RegisterForReflection
    public record ErrorBody(ErrorDetail error) {
    }

    @RegisterForReflection
    public record ErrorDetail(String message, String type, String param, String code) {
    }

    @RegisterForReflection
    public record ModelList(String object, List<ModelInfo> data) {
    }

    @RegisterForReflection
    public record ModelInfo(String id, String object, long created, String ownedBy) {
    }

    /** Admin: runtime tuning; null fields fall back to the configured defaults. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Tuning(Long firstTokenDelayMs, Long tokenDelayMs, Integer answerTokens) {
    }

    @RegisterForReflection
    public record FaultRequest(String fault, Integer times) {
    }

    @RegisterForReflection
    public record FaultsQueued(List<String> pending) {
    }

    @RegisterForReflection
    public record Stats(long requests, long streamed, long toolCalls, long badRequests, long inFlight,
                        Map<String, Long> byFault, List<String> pendingFaults, Tuning config) {
    }

    /**
     * GET /admin/requests: how many logged requests matched, the max_tokens each asked for (null: none) and the
     * messages each sent ({@code role: text}, cut), so a test can tell what the model was given.
     */
    @RegisterForReflection
    public record Requests(long count, List<Integer> maxTokens, List<List<String>> inputs) {
    }
}

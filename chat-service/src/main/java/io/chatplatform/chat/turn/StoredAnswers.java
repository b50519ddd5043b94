package io.chatplatform.chat.turn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.chat.api.TurnResult;
import io.chatplatform.chat.session.SessionGateway.BegunTurn;

import java.util.ArrayList;
import java.util.List;

/** A turn's answer as session-service holds it, read back as the turn's result when a replay finds it finished. */
final class StoredAnswers {

    private StoredAnswers() {
    }

    /**
     * The result of the answer session-service returned with a replayed begin, when that answer is finished (its
     * metadata has a finish reason other than {@code error}); null when there is none or it is still growing (the
     * turn that wrote it died: this one runs the model again and writes the same answer).
     */
    static TurnResult finished(BegunTurn b, String sessionId, ObjectMapper mapper) {
        JsonNode a = b.answer();
        JsonNode meta = a == null ? null : a.path("metadata");
        if (meta == null || !meta.hasNonNull("finish_reason") || "error".equals(meta.get("finish_reason").asText())) {
            return null;
        }
        List<TurnResult.ToolCall> calls = new ArrayList<>();
        meta.path("tool_calls").forEach(c -> calls.add(new TurnResult.ToolCall(c.path("tool").asText(),
                mapper.convertValue(c.path("arguments"), Object.class), c.path("ok").asBoolean(), c.path("summary").asText(null))));
        JsonNode usage = meta.path("usage");
        return new TurnResult(sessionId, a.path("id").asText(b.answerId()), a.path("content").asText(), calls,
                new TurnResult.Usage(usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong()),
                meta.path("model").asText(null), meta.path("latency_ms").asLong(), meta.hasNonNull("ttft_ms") ? meta.get("ttft_ms").asLong() : null,
                meta.get("finish_reason").asText(), meta.path("cancelled").asBoolean(), meta.path("truncated").asBoolean());
    }
}

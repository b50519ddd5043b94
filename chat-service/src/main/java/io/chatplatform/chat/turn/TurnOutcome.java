package io.chatplatform.chat.turn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.api.TurnResult;
import io.chatplatform.chat.limits.Admission;
import io.chatplatform.chat.session.AnswerStore;
import io.chatplatform.common.problem.ProblemException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The end of a turn: the answer stored in session-service (retried; an answer that cannot be stored anyway is
 * counted in {@code chat_answers_lost_total} and fails the turn), then the turn's Redis state settled in one round
 * trip (quota, replay result, lock), then {@code message.completed} or {@code message.failed}, then the HTTP result.
 */
@ApplicationScoped
class TurnOutcome {

    private static final Logger LOG = Logger.getLogger(TurnOutcome.class);
    /** The finish reasons session-service stores; ours that are not among them are stored as {@code stop}. */
    private static final Set<String> STORED_REASONS = Set.of("stop", "length", "cancelled", "error", "tool_calls");

    private final ChatConfig config;
    private final Admission admission;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Counter lost;

    TurnOutcome(ChatConfig config, Admission admission, ObjectMapper mapper, MeterRegistry registry) {
        this.config = config;
        this.admission = admission;
        this.mapper = mapper;
        this.registry = registry;
        this.lost = Counter.builder("chat_answers_lost_total")
                .description("answers the model produced that session-service never stored (must stay 0)").register(registry);
    }

    /** Stores and announces the answer; false when it could not be stored (the turn then failed). */
    boolean complete(TurnContext turn, AnswerDraft draft, AnswerWriter writer, String reason) {
        boolean cancelled = turn.cancelled();
        String content = AnswerStore.fit(draft.text(), config.answer().maxBytes());
        if (content.length() < draft.length() || "length".equals(reason)) {
            draft.truncate();
        }
        String finishReason = cancelled ? "cancelled" : draft.truncated() ? "length" : reason;
        TurnResult.Usage usage = draft.finalUsage();
        long tokens = usage.promptTokens() + usage.completionTokens();
        registry.counter("chat_llm_tokens_total", "direction", "prompt").increment(usage.promptTokens());
        registry.counter("chat_llm_tokens_total", "direction", "completion").increment(usage.completionTokens());
        long latency = (System.nanoTime() - turn.startNanos()) / 1_000_000;
        TurnResult r = new TurnResult(turn.sessionId(), turn.messageId(), content, draft.toolCalls(), usage,
                config.model().name(), latency, draft.ttftMillis(turn.startNanos()), finishReason, cancelled, draft.truncated());
        JsonNode stored;
        try {
            stored = writer.storeFinal(content, metadata(turn, r), STORED_REASONS.contains(finishReason) ? finishReason : "stop");
        } catch (RuntimeException e) {
            lost.increment();
            LOG.errorf("answer %s lost: %s", turn.messageId(), e.getMessage());
            fail(turn, tokens, "storage_unavailable", true, 503, "The answer could not be stored; try again.");
            return false;
        }
        settle(turn, tokens, json(r));
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("content", content);
        done.put("usage", usage);
        done.put("model", r.model());
        done.put("finish_reason", finishReason);
        done.put("seq", stored == null ? null : stored.path("seq").asLong());
        done.put("cancelled", cancelled);
        done.put("truncated", draft.truncated());
        turn.events().offer("message.completed", done);
        turn.events().close(config.eventsDrain());
        turn.result().complete(r);
        return true;
    }

    /** Announces the failure, forgets the turn's idempotency key (a retry runs it again), answers the problem. */
    void fail(TurnContext turn, long tokens, String code, boolean retryable, int status, String message) {
        settle(turn, tokens, null);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("error", Map.of("code", code, "message", message));
        f.put("retryable", retryable);
        turn.events().offer("message.failed", f);
        turn.events().close(config.eventsDrain());
        String title = switch (status) {
            case 504 -> "Gateway Timeout";
            case 503 -> "Service Unavailable";
            default -> "Bad Gateway";
        };
        ProblemException p = new ProblemException(status, title, message)
                .extension("code", code).extension("retryable", retryable)
                .extension("session_id", turn.sessionId()).extension("message_id", turn.messageId());
        if (status == 503) {
            p.header("Retry-After", "5");
        }
        turn.result().completeExceptionally(p);
    }

    /** One attempt at once (the replay result must be there when the client sees the answer); retried off the turn. */
    private void settle(TurnContext turn, long tokens, String resultJson) {
        String uid = turn.user().userId();
        try {
            admission.finishOnce(uid, turn.clientMessageId(), turn.sessionId(), turn.lockToken(), tokens, resultJson);
        } catch (RuntimeException e) {
            LOG.warnf("turn %s not settled in Redis (%s); retrying in the background", turn.messageId(), e.getClass().getSimpleName());
            Thread.ofVirtual().start(() -> {
                try {
                    admission.finish(uid, turn.clientMessageId(), turn.sessionId(), turn.lockToken(), tokens, resultJson);
                } catch (RuntimeException again) {
                    LOG.errorf("turn %s not settled in Redis: its lock expires after %s", turn.messageId(), config.lockTtl());
                }
            });
        }
    }

    private Map<String, Object> metadata(TurnContext turn, TurnResult r) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("message_id", turn.messageId());
        meta.put("model", r.model());
        meta.put("usage", r.usage());
        meta.put("latency_ms", r.latencyMs());
        meta.put("ttft_ms", r.ttftMs());
        meta.put("tool_calls", r.toolCalls());
        meta.put("finish_reason", r.finishReason());
        meta.put("cancelled", r.cancelled());
        meta.put("truncated", r.truncated());
        meta.put("reply_to", turn.userMessage().id());
        return meta;
    }

    private String json(TurnResult r) {
        try {
            return mapper.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

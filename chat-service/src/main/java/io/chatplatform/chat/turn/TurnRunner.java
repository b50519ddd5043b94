package io.chatplatform.chat.turn;

import dev.langchain4j.data.message.ChatMessage;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.llm.ModelException;
import io.chatplatform.chat.session.AnswerStore;
import io.chatplatform.common.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The part of a turn after the HTTP checks, on its own virtual thread: the conversation, then its outcome; every
 * failure becomes {@code message.failed} and a problem for the waiting HTTP call.
 */
@ApplicationScoped
class TurnRunner {

    private static final Logger LOG = Logger.getLogger(TurnRunner.class);

    private final ChatConfig config;
    private final Conversation conversation;
    private final TurnOutcome outcome;
    private final AnswerStore answers;
    private final MeterRegistry registry;

    TurnRunner(ChatConfig config, Conversation conversation, TurnOutcome outcome, AnswerStore answers, MeterRegistry registry) {
        this.config = config;
        this.conversation = conversation;
        this.outcome = outcome;
        this.answers = answers;
        this.registry = registry;
    }

    void run(TurnContext turn, List<ChatMessage> messages, Executor executor, Runnable onEnd) {
        AnswerDraft draft = new AnswerDraft();
        AnswerWriter writer = new AnswerWriter(answers, config.answer(), executor, turn, config.model().name());
        String result = "failed";
        try {
            String reason = conversation.converse(turn, draft, writer, messages);
            StreamReader.flush(turn, draft);
            if (outcome.complete(turn, draft, writer, reason)) {
                result = turn.cancelled() ? "cancelled" : draft.truncated() ? "truncated" : "completed";
            }
        } catch (ModelException e) {
            outcome.fail(turn, 0, e.code(), e.retryable(), e.httpStatus(), "The model " + describe(e.code()) + ".");
        } catch (ProblemException e) {
            boolean unavailable = e.status() == 503;
            outcome.fail(turn, 0, unavailable ? "unavailable" : "error", unavailable, unavailable ? 503 : 502, e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf("turn failed: %s", e.getClass().getName());
            outcome.fail(turn, 0, "internal_error", true, 503, "The turn failed; try again.");
        } finally {
            onEnd.run();
            registry.counter("chat_turns_total", "outcome", result).increment();
            registry.timer("chat_turn_seconds", "outcome", result).record(Duration.ofNanos(System.nanoTime() - turn.startNanos()));
        }
    }

    private static String describe(String code) {
        return switch (code) {
            case "timeout" -> "did not answer in time";
            case "rate_limited" -> "is rate limited";
            case "stream_interrupted" -> "stream was interrupted";
            default -> "call failed";
        };
    }
}

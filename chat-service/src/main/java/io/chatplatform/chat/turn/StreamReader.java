package io.chatplatform.chat.turn;

import dev.langchain4j.model.chat.response.ChatResponse;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.llm.ModelException;
import io.chatplatform.chat.llm.ModelStream;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;

/**
 * Reads one model stream into the turn's {@link AnswerDraft}: tokens become {@code message.delta} events (the first at
 * once, from the stream's I/O thread: it is what the user waits for; later ones coalesced over
 * {@code chat.delta-coalesce}), the answer is
 * checkpointed as it grows, the quota cuts it off, and silence longer than {@code chat.idle-timeout} ends it.
 */
@ApplicationScoped
class StreamReader {

    private final ChatConfig config;
    private final Timer ttft;

    StreamReader(ChatConfig config, MeterRegistry registry) {
        this.config = config;
        this.ttft = Timer.builder("chat_time_to_first_token").description("request received to first model token")
                .publishPercentileHistogram().register(registry);
    }

    /** The stream's final response, or null when the turn was cancelled or cut off by the quota. */
    ChatResponse read(ModelStream stream, TurnContext turn, AnswerDraft draft, AnswerWriter writer) {
        long idle = config.idleTimeout().toMillis();
        long coalesce = config.deltaCoalesce().toMillis();
        long lastFlush = System.currentTimeMillis();
        long lastSignal = lastFlush;
        ModelStream.Signal sig = stream.first();
        while (true) {
            if (turn.cancelled()) {
                stream.cancel();
                return null;
            }
            long now = System.currentTimeMillis();
            if (sig == null) {
                if (draft.hasPending() && now - lastFlush >= coalesce) {
                    lastFlush = flush(turn, draft);
                }
                if (now - lastSignal > idle) {
                    stream.cancel();
                    // a connection cut mid-stream is not always reported by the client: silence is the signal
                    throw new ModelException("stream_interrupted", true, "model stream stalled or dropped", null);
                }
                long wait = draft.hasPending() ? Math.max(1, lastFlush + coalesce - now) : Math.min(idle, 250);
                try {
                    sig = stream.poll(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stream.cancel();
                    return null;
                }
                continue;
            }
            lastSignal = now;
            switch (sig) {
                case ModelStream.Token t -> {
                    if (token(turn, draft, t)) {
                        lastFlush = flush(turn, draft);
                    }
                    writer.maybeCheckpoint(draft);
                    if (draft.estimatedTokens() > turn.quotaLeft()) {
                        draft.truncate();
                        stream.cancel();
                        return null;
                    }
                }
                case ModelStream.Complete c -> {
                    return c.response();
                }
                case ModelStream.Failed f -> {
                    stream.cancel();
                    if (turn.cancelled()) {
                        return null;
                    }
                    throw ModelException.classify(f.error(), false);
                }
            }
            sig = null;
        }
    }

    /**
     * On the model stream's I/O thread, a stream's first text: sent at once as the turn's first delta when it is the
     * turn's first text (the first round with text), so it does not wait for this thread to wake up.
     */
    static boolean publishFirst(TurnContext turn, AnswerDraft draft, String text) {
        if (turn.cancelled() || !draft.claimFirst()) {
            return false;
        }
        turn.events().offer("message.delta", Map.of("delta", text));
        return true;
    }

    /** Adds a token; true when it was the turn's first (sent at once: by {@link #publishFirst} or by the flush after). */
    private boolean token(TurnContext turn, AnswerDraft draft, ModelStream.Token t) {
        String text = t.text();
        if (text == null || text.isEmpty()) {
            return false;
        }
        if (t.publishedNanos() != 0) {
            draft.appendPublished(text, t.publishedNanos());
            ttft.record(Duration.ofNanos(t.publishedNanos() - turn.startNanos()));
            return true;
        }
        boolean first = draft.append(text);
        if (first) {
            ttft.record(Duration.ofNanos(System.nanoTime() - turn.startNanos()));
        }
        return first;
    }

    /** Publishes what is pending as one delta; returns the flush time. */
    static long flush(TurnContext turn, AnswerDraft draft) {
        if (draft.hasPending()) {
            turn.events().offer("message.delta", Map.of("delta", draft.takePending()));
        }
        return System.currentTimeMillis();
    }
}

package io.chatplatform.chat.turn;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatplatform.chat.ChatConfig;
import io.chatplatform.chat.session.AnswerStore;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes one turn's answer to session-service: while it grows, every {@code chat.answer.checkpoint-interval} or
 * {@code checkpoint-chars} new characters (one write in flight at most, off the stream's thread, not retried: the
 * next write carries everything), and at the end with retries ({@link AnswerStore#store}).
 */
final class AnswerWriter {

    private static final Logger LOG = Logger.getLogger(AnswerWriter.class);

    private final AnswerStore store;
    private final ChatConfig.Answer config;
    private final Executor executor;
    private final TurnContext turn;
    private final Map<String, Object> growingMetadata;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private long lastNanos = System.nanoTime();
    private int lastLength;

    AnswerWriter(AnswerStore store, ChatConfig.Answer config, Executor executor, TurnContext turn, String model) {
        this.store = store;
        this.config = config;
        this.executor = executor;
        this.turn = turn;
        this.growingMetadata = Map.of("message_id", turn.messageId(), "model", model, "reply_to", turn.userMessage().id());
    }

    /** Writes the answer so far when it is due and no write is in flight. */
    void maybeCheckpoint(AnswerDraft draft) {
        long now = System.nanoTime();
        int length = draft.length();
        boolean due = length - lastLength >= config.checkpointChars()
                || (length > lastLength && now - lastNanos >= config.checkpointInterval().toNanos());
        if (!due || !inFlight.compareAndSet(false, true)) {
            return;
        }
        lastNanos = now;
        lastLength = length;
        String content = AnswerStore.fit(draft.text(), config.maxBytes());
        executor.execute(() -> {
            try {
                store.put(answer(content, growingMetadata, null));
            } catch (RuntimeException e) {
                LOG.debugf("checkpoint of %s not written: %s", turn.messageId(), e.getMessage());
            } finally {
                inFlight.set(false);
            }
        });
    }

    /** The final write, retried with backoff; throws when session-service could not take it. */
    JsonNode storeFinal(String content, Map<String, Object> metadata, String finishReason) {
        return store.store(answer(content, metadata, finishReason));
    }

    private AnswerStore.Answer answer(String content, Map<String, Object> metadata, String finishReason) {
        return new AnswerStore.Answer(turn.sessionId(), turn.messageId(), turn.writeGrant(), content, metadata, finishReason);
    }
}

package io.chatplatform.chat.events;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One turn's events, published in order by a virtual thread of their own, so neither the model stream nor the
 * answer's storage ever waits on Redis: events are best-effort (a Redis pause or failover drops them, counted in
 * {@code chat_events_dropped_total}; clients then reload from history), the answer goes to session-service anyway.
 * Whatever queued up while a publish was in flight goes out as one batch (one round trip).
 */
public final class EventSink {

    private static final Logger LOG = Logger.getLogger(EventSink.class);
    private static final EventPublisher.Event END = new EventPublisher.Event("", "");
    private static final int MAX_BATCH = 256;

    private final EventPublisher publisher;
    private final String sessionId;
    private final String messageId;
    private final LinkedBlockingQueue<EventPublisher.Event> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    EventSink(EventPublisher publisher, String sessionId, String messageId) {
        this.publisher = publisher;
        this.sessionId = sessionId;
        this.messageId = messageId;
        this.thread = Thread.ofVirtual().name("events-" + messageId).start(this::drain);
    }

    /** Queues one event of the turn's answer; never blocks, never throws for Redis. */
    public void offer(String type, Map<String, Object> fields) {
        offer(type, messageId, fields);
    }

    /** Queues one event about another message of the turn (the user's). */
    public void offer(String type, String aboutMessageId, Map<String, Object> fields) {
        queue.add(publisher.event(type, sessionId, aboutMessageId, fields));
    }

    /** Stops taking events and waits up to {@code wait} for the queued ones; true when all were handled. */
    public boolean close(Duration wait) {
        queue.add(END);
        try {
            return thread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void drain() {
        List<EventPublisher.Event> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean end = batch.remove(END);
            if (!batch.isEmpty()) {
                try {
                    publisher.publish(sessionId, batch);
                } catch (RuntimeException e) {
                    publisher.dropped(batch.size());
                    LOG.warnf("events of turn %s not published (%s): %d dropped", messageId, e.getClass().getSimpleName(),
                            batch.size());
                }
            }
            batch.clear();
            if (end) {
                return;
            }
        }
    }
}

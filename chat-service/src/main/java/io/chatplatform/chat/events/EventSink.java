package io.chatplatform.chat.events;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One turn's events, published in order with at most one publish in flight: the first event goes out at once
 * from the thread that offers it, whatever is offered while a publish is in flight goes out as the next batch
 * (one round trip) when the reply comes back, on the Redis client's event loop. No thread waits on Redis, so
 * neither the model stream nor the answer's storage ever does: events are best-effort (a Redis pause or failover
 * drops them, counted in {@code chat_events_dropped_total}; clients then reload from history), the answer goes to
 * session-service anyway.
 */
public final class EventSink {

    private static final Logger LOG = Logger.getLogger(EventSink.class);
    private static final int MAX_BATCH = 256;

    private final EventPublisher publisher;
    private final String sessionId;
    private final String messageId;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    // guarded by this
    private List<EventPublisher.Event> pending = new ArrayList<>();
    private boolean inFlight;
    private boolean closed;

    EventSink(EventPublisher publisher, String sessionId, String messageId) {
        this.publisher = publisher;
        this.sessionId = sessionId;
        this.messageId = messageId;
    }

    /** Queues one event of the turn's answer; never blocks, never throws for Redis. */
    public void offer(String type, Map<String, Object> fields) {
        offer(type, messageId, fields);
    }

    /** Queues one event about another message of the turn (the user's). */
    public void offer(String type, String aboutMessageId, Map<String, Object> fields) {
        EventPublisher.Event event = publisher.event(type, sessionId, aboutMessageId, fields);
        List<EventPublisher.Event> batch;
        synchronized (this) {
            if (closed) {
                return;
            }
            pending.add(event);
            if (inFlight) {
                return;
            }
            inFlight = true;
            batch = takeBatch();
        }
        send(batch);
    }

    /** Stops taking events and waits up to {@code wait} for the queued ones; true when all were handled. */
    public boolean close(Duration wait) {
        synchronized (this) {
            closed = true;
            if (!inFlight) {
                drained.complete(null);
            }
        }
        try {
            drained.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void send(List<EventPublisher.Event> batch) {
        try {
            publisher.publish(sessionId, batch).subscribe().with(ok -> sent(), e -> {
                dropped(batch, e);
                sent();
            });
        } catch (RuntimeException e) {
            dropped(batch, e);
            sent();
        }
    }

    /** The batch in flight is done: the next one goes out, or the sink is idle (and drained once closed). */
    private void sent() {
        List<EventPublisher.Event> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                inFlight = false;
                if (closed) {
                    drained.complete(null);
                }
                return;
            }
            batch = takeBatch();
        }
        send(batch);
    }

    private List<EventPublisher.Event> takeBatch() {
        if (pending.size() <= MAX_BATCH) {
            List<EventPublisher.Event> batch = pending;
            pending = new ArrayList<>();
            return batch;
        }
        List<EventPublisher.Event> batch = new ArrayList<>(pending.subList(0, MAX_BATCH));
        pending.subList(0, MAX_BATCH).clear();
        return batch;
    }

    private void dropped(List<EventPublisher.Event> batch, Throwable e) {
        publisher.dropped(batch.size());
        LOG.warnf("events of turn %s not published (%s): %d dropped", messageId, e.getClass().getSimpleName(), batch.size());
    }
}

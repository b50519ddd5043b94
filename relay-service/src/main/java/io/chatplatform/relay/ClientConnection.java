package io.chatplatform.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * One browser connection: who it is, what it has been sent, and how far behind it is. Events are buffered while
 * the connection is being resumed and flushed in stream order afterwards, dropping ids already sent.
 */
public final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class);

    private final WebSocketConnection ws;
    private final String sessionId;
    private final String userId;
    private final String bearer;
    private final long pendingBound;
    private final RelayMetrics metrics;

    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastInboundNanos = System.nanoTime();
    private long windowStartNanos = System.nanoTime();
    private int framesInWindow;

    // guarded by this
    private boolean live;
    private final List<RelayEvent> buffered = new ArrayList<>();
    private StreamId lastSent;
    private long expiryTimer = -1;
    private volatile Runnable onClosing = () -> {
    };

    ClientConnection(WebSocketConnection ws, String sessionId, String userId, String bearer, long pendingBound,
            RelayMetrics metrics) {
        this.ws = ws;
        this.sessionId = sessionId;
        this.userId = userId;
        this.bearer = bearer;
        this.pendingBound = pendingBound;
        this.metrics = metrics;
    }

    public String id() {
        return ws.id();
    }

    public String sessionId() {
        return sessionId;
    }

    public String userId() {
        return userId;
    }

    /** "Bearer <jwt>" of the user, propagated to session-service and chat-service. */
    public String bearer() {
        return bearer;
    }

    public WebSocketConnection ws() {
        return ws;
    }

    /** A live event from the session's shared subscription. */
    public synchronized void deliver(RelayEvent e) {
        if (!live) {
            buffered.add(e);
            return;
        }
        sendIfNew(e);
    }

    /**
     * Ends the resume phase: sends {@code ready}, the replayed events, then whatever arrived live meanwhile, each
     * event once and in order.
     */
    public synchronized void goLive(String readyFrame, List<String> extraFrames, List<RelayEvent> replay,
            StreamId resumeFrom) {
        lastSent = resumeFrom;
        sendRaw(readyFrame, -1, false);
        for (String f : extraFrames) {
            sendRaw(f, -1, false);
        }
        for (RelayEvent e : replay) {
            sendIfNew(e);
        }
        for (RelayEvent e : buffered) {
            sendIfNew(e);
        }
        buffered.clear();
        live = true;
    }

    private void sendIfNew(RelayEvent e) {
        if (e.id() != null) {
            if (lastSent != null && e.id().compareTo(lastSent) <= 0) {
                return; // already sent (replay and live overlap)
            }
            lastSent = e.id();
        }
        sendRaw(e.json(), e.tsMillis(), true);
    }

    /** A control frame (pong, error, reconnect): not an event, not counted as delivered. */
    public void sendControl(String frame) {
        sendRaw(frame, -1, false);
    }

    private void sendRaw(String text, long ts, boolean event) {
        if (closing.get()) {
            return;
        }
        long size = text.length();
        long pending = pendingBytes.addAndGet(size);
        if (pending > pendingBound) {
            // A client that cannot keep up is dropped instead of buffering without bound; it resumes with
            // last_event_id when it reconnects.
            LOG.debugf("closing slow connection %s (%d bytes pending)", id(), pending);
            close(RelayCloseCodes.SLOW_CONSUMER, "slow_consumer", "slow_consumer");
            return;
        }
        ws.sendText(text).subscribe().with(ok -> {
            pendingBytes.addAndGet(-size);
            if (event) {
                metrics.delivered(ts);
            }
        }, err -> pendingBytes.addAndGet(-size));
    }

    public long pendingBytes() {
        return pendingBytes.get();
    }

    /** Called once when the relay starts closing the connection (before the close handshake finishes). */
    void onClosing(Runnable r) {
        this.onClosing = r;
    }

    public void close(int code, String reason, String metricReason) {
        if (closing.compareAndSet(false, true)) {
            metrics.closed(metricReason);
            // Stop routing events at once: a stuck peer may take the close timeout to let go of the socket.
            onClosing.run();
            ws.close(new CloseReason(code, reason)).subscribe().with(ok -> {
            }, err -> LOG.debugf("close of %s failed: %s", id(), err.getMessage()));
        }
    }

    public boolean isClosing() {
        return closing.get();
    }

    public void touch() {
        lastInboundNanos = System.nanoTime();
    }

    public long idleNanos() {
        return System.nanoTime() - lastInboundNanos;
    }

    /** Fixed-window count of inbound frames; false when the connection is over its rate. */
    public synchronized boolean allowInbound(int max, long windowNanos) {
        long now = System.nanoTime();
        if (now - windowStartNanos >= windowNanos) {
            windowStartNanos = now;
            framesInWindow = 0;
        }
        return ++framesInWindow <= max;
    }

    synchronized void expiryTimer(long id) {
        this.expiryTimer = id;
    }

    synchronized long expiryTimer() {
        return expiryTimer;
    }
}

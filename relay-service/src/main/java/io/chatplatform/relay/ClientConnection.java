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
    /** Non-zero while a lost Redis subscription is being refilled from the stream: the loss it waits for. */
    private long pausedFor;
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
        if (!live || pausedFor != 0) {
            buffered.add(e);
            return;
        }
        sendIfNew(e);
    }

    /**
     * Ends the resume phase: sends {@code ready}, the replayed events, then whatever arrived live meanwhile, each
     * event once and in order. While a gap fill is pending the live ones stay buffered until {@link #fillGap}.
     */
    public synchronized void goLive(String readyFrame, List<String> extraFrames, List<RelayEvent> replay,
            StreamId resumeFrom) {
        lastSent = resumeFrom;
        sendRaw(readyFrame, -1, false);
        for (String f : extraFrames) {
            sendRaw(f, -1, false);
        }
        live = true;
        if (pausedFor != 0) {
            List<RelayEvent> all = new ArrayList<>(replay);
            all.addAll(buffered);
            buffered.clear();
            buffered.addAll(all);
            return;
        }
        List<RelayEvent> all = new ArrayList<>(replay);
        all.addAll(buffered);
        buffered.clear();
        sendInOrder(all);
    }

    /**
     * The Redis subscription was lost ({@code loss} numbers the losses): buffer live events until the missed ones
     * have been read from the stream, otherwise a newer live event could be sent first and the missed ones would
     * then look "already sent".
     */
    public synchronized void pause(long loss) {
        pausedFor = loss;
    }

    /**
     * The events the stream holds after the loss of {@code loss}. They join the buffer; the buffer goes out in
     * stream order once the latest loss has been filled (an older fill only adds what it read).
     */
    public synchronized void fillGap(long loss, List<RelayEvent> missed) {
        if (pausedFor == 0) {
            return; // joined after the loss: its own subscribe-then-read covered it
        }
        List<RelayEvent> all = new ArrayList<>(missed);
        all.addAll(buffered);
        buffered.clear();
        if (loss != pausedFor || !live) {
            buffered.addAll(all);
            if (loss == pausedFor) {
                pausedFor = 0; // goLive sends them with its replay
            }
            return;
        }
        pausedFor = 0;
        sendInOrder(all);
    }

    /**
     * Sends events with ids in stream order (each once, dropping ids already sent); events without an id
     * (typing) keep their place among them.
     */
    private void sendInOrder(List<RelayEvent> events) {
        List<RelayEvent> withId = new ArrayList<>();
        for (RelayEvent e : events) {
            if (e.id() != null) {
                withId.add(e);
            }
        }
        withId.sort(java.util.Comparator.comparing(RelayEvent::id));
        java.util.Iterator<RelayEvent> sorted = withId.iterator();
        for (RelayEvent e : events) {
            sendIfNew(e.id() == null ? e : sorted.next());
        }
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
        long size = utf8Length(text);
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

    /** Bytes of the text as UTF-8 (what goes on the wire), without encoding it. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
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

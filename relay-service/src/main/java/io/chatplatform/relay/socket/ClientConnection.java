package io.chatplatform.relay.socket;

import io.chatplatform.relay.RelayMetrics;
import io.chatplatform.relay.fanout.RelayEvent;
import io.chatplatform.relay.fanout.StreamId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * One browser connection: who it is, what it has been sent, and how far behind it is. Everything it sends goes
 * straight to its Netty channel, on the channel's own event loop (where its session's fan-out runs too), in the
 * order it was asked: live events, replays and control frames alike. Events are buffered while the connection is
 * being resumed and flushed in stream order afterwards, dropping ids already sent. The mutable state below is
 * touched on that loop only.
 */
public final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class);

    private final WebSocketConnection ws;
    private final Channel channel;
    private final EventLoop loop;
    private final String sessionId;
    private final String userId;
    private final String bearer;
    private final JsonWebToken token;
    private final long pendingBound;
    private final RelayMetrics metrics;

    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastInboundNanos = System.nanoTime();
    private long windowStartNanos = System.nanoTime();
    private int framesInWindow;

    // on the loop only
    private boolean live;
    /** Non-zero while a lost Redis subscription is being refilled from the stream: the loss it waits for. */
    private long pausedFor;
    private final List<RelayEvent> buffered = new ArrayList<>();
    private StreamId lastSent;
    private volatile long expiryTimer = -1;
    private volatile Runnable onClosing = () -> {
    };

    ClientConnection(WebSocketConnection ws, Channel channel, String sessionId, JsonWebToken token,
            long pendingBound, RelayMetrics metrics) {
        this.ws = ws;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.sessionId = sessionId;
        this.token = token;
        this.userId = token.getSubject();
        this.bearer = "Bearer " + token.getRawToken();
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

    /** The verified access token the connection was opened with (checked again when tokens are revoked). */
    public JsonWebToken token() {
        return token;
    }

    /** "Bearer <jwt>" of the user, propagated to session-service and chat-service. */
    public String bearer() {
        return bearer;
    }

    public WebSocketConnection ws() {
        return ws;
    }

    /** The event loop that owns the socket; every send runs there. */
    public EventLoop loop() {
        return loop;
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    /** On the loop: a live event from the session's shared subscription; 1 when it was written now, else 0. */
    public int deliver(RelayEvent e) {
        if (!live || pausedFor != 0) {
            buffered.add(e);
            return 0;
        }
        if (e.id() != null) {
            if (lastSent != null && e.id().compareTo(lastSent) <= 0) {
                return 0; // already sent (replay and live overlap)
            }
            lastSent = e.id();
        }
        return write(e.utf8()) ? 1 : 0;
    }

    /**
     * Ends the resume phase: sends {@code ready}, the replayed events, then whatever arrived live meanwhile, each
     * event once and in order. While a gap fill is pending the live ones stay buffered until {@link #fillGap}.
     */
    public void goLive(String readyFrame, List<String> extraFrames, List<RelayEvent> replay, StreamId resumeFrom) {
        onLoop(() -> {
            lastSent = resumeFrom;
            write(utf8(readyFrame));
            for (String f : extraFrames) {
                write(utf8(f));
            }
            live = true;
            List<RelayEvent> all = new ArrayList<>(replay);
            all.addAll(buffered);
            buffered.clear();
            if (pausedFor != 0) {
                buffered.addAll(all);
                return;
            }
            sendInOrder(all);
        });
    }

    /**
     * The Redis subscription was lost ({@code loss} numbers the losses): buffer live events until the missed ones
     * have been read from the stream, otherwise a newer live event could be sent first and the missed ones would
     * then look "already sent".
     */
    public void pause(long loss) {
        pausedFor = loss;
    }

    /**
     * The events the stream holds after the loss of {@code loss}. They join the buffer; the buffer goes out in
     * stream order once the latest loss has been filled (an older fill only adds what it read).
     */
    public void fillGap(long loss, List<RelayEvent> missed) {
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
        if (write(e.utf8())) {
            metrics.delivered(1, e.tsMillis());
        }
    }

    /** A control frame (pong, error, reconnect): not an event, not counted as delivered. */
    public void sendControl(String frame) {
        byte[] bytes = utf8(frame);
        onLoop(() -> write(bytes));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * On the loop: one text frame around the bytes (not copied; every client of an event shares them), written
     * without waiting. A client whose socket already holds more than the bound is dropped instead of buffering
     * without limit; it resumes with last_event_id when it reconnects.
     */
    private boolean write(byte[] utf8) {
        if (closing.get() || !channel.isActive()) {
            return false;
        }
        long pending = pendingBytes();
        if (pending + utf8.length > pendingBound) {
            LOG.debugf("closing slow connection %s (%d bytes pending)", id(), pending);
            close(RelayCloseCodes.SLOW_CONSUMER, "slow_consumer", "slow_consumer");
            return false;
        }
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8)), channel.voidPromise());
        return true;
    }

    /** Bytes queued in the socket's outbound buffer, not yet taken by the kernel. */
    public long pendingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
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

    void expiryTimer(long id) {
        this.expiryTimer = id;
    }

    long expiryTimer() {
        return expiryTimer;
    }
}

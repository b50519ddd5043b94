package io.chatplatform.relay.fanout;

import io.chatplatform.relay.redis.RedisSubscriptions;
import io.chatplatform.relay.redis.Subscriber;
import io.chatplatform.relay.socket.ClientConnection;
import io.chatplatform.relay.socket.RelayCloseCodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.netty.channel.EventLoop;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The fan-out of one event loop: the sessions that have clients on this loop, one subscription each on the loop's
 * own subscriber connection, shared by those clients. Every field is touched on the loop only, so delivering an
 * event is one envelope read, then one write per client, without a lock or a hand-over to another thread.
 */
final class LoopHub implements Subscriber.Listener {

    private static final Logger LOG = Logger.getLogger(LoopHub.class);

    private final EventLoop loop;
    private final Subscriber subscriber;
    private final SessionHub owner;
    private final Map<String, SessionChannel> channels = new ConcurrentHashMap<>(); // read by tests from elsewhere
    /** Counts losses of the subscriber connection. */
    private long losses;

    private static final class SessionChannel {
        final String sessionId;
        final List<ClientConnection> clients = new ArrayList<>(2);
        CompletableFuture<Void> subscribed;
        StreamId lastLive;
        /** Where the stream must be read from after a lost subscription; null when no gap is open. */
        StreamId gapFrom;
        final long createdAtMs = System.currentTimeMillis();

        SessionChannel(String sessionId) {
            this.sessionId = sessionId;
        }
    }

    LoopHub(EventLoop loop, io.vertx.core.Context context, RedisSubscriptions subscriptions, SessionHub owner) {
        this.loop = loop;
        this.owner = owner;
        this.subscriber = subscriptions.open(context, this);
    }

    EventLoop loop() {
        return loop;
    }

    /** On the loop: adds the client, subscribing first if it is the session's first client on this loop. */
    CompletableFuture<Void> join(ClientConnection client) {
        SessionChannel ch = channels.computeIfAbsent(client.sessionId(), SessionChannel::new);
        ch.clients.add(client);
        if (ch.subscribed == null || ch.subscribed.isCompletedExceptionally()) {
            ch.subscribed = subscriber.subscribe(SessionHub.channelKey(client.sessionId()));
        }
        return ch.subscribed;
    }

    /** On the loop: the last client of the session here ends its subscription. */
    void leave(ClientConnection client) {
        SessionChannel ch = channels.get(client.sessionId());
        if (ch == null || !ch.clients.remove(client)) {
            return;
        }
        if (ch.clients.isEmpty()) {
            channels.remove(client.sessionId());
            subscriber.unsubscribe(SessionHub.channelKey(client.sessionId()));
        }
    }

    int clientsOf(String sessionId) {
        SessionChannel ch = channels.get(sessionId);
        return ch == null ? 0 : ch.clients.size();
    }

    @Override
    public void message(String channel, byte[] payload) {
        if (!loop.inEventLoop()) { // the connection is opened from this loop; be safe if a client library moved it
            loop.execute(() -> message(channel, payload));
            return;
        }
        String sessionId = SessionHub.sessionOf(channel);
        SessionChannel ch = sessionId == null ? null : channels.get(sessionId);
        if (ch == null) {
            return;
        }
        RelayEvent e = owner.codec().fromPublished(payload);
        if (e == null) {
            LOG.debugf("dropping non-JSON message on %s", channel);
            return;
        }
        if (e.id() != null) {
            ch.lastLive = e.id();
        }
        int written = 0;
        for (int i = 0; i < ch.clients.size(); i++) {
            written += ch.clients.get(i).deliver(e);
        }
        owner.metrics().delivered(written, e.tsMillis());
    }

    /**
     * The subscriber connection is gone: every client of this loop buffers live events from now on, and the point
     * each session's stream must be read from is remembered (the last event seen before the loss; for sessions
     * without one, shortly before the loss but not before they were joined).
     */
    @Override
    public void lost(long lostAtMs) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> lost(lostAtMs));
            return;
        }
        long loss = ++losses;
        for (SessionChannel ch : channels.values()) {
            if (ch.gapFrom == null) { // a still unfilled older gap starts earlier
                ch.gapFrom = ch.lastLive != null ? ch.lastLive : new StreamId(Math.max(ch.createdAtMs, lostAtMs - 2000), 0);
            }
            for (ClientConnection c : ch.clients) {
                c.pause(loss);
            }
        }
    }

    /**
     * Resubscribed after a loss: the same path as a resume. The subscriptions are live again (new events are
     * buffered per client), so reading the stream now covers the gap; each client then sends missed and buffered
     * events in stream order, dropping ids it already sent, and goes live.
     */
    @Override
    public void resubscribed() {
        if (!loop.inEventLoop()) {
            loop.execute(this::resubscribed);
            return;
        }
        long loss = losses;
        Map<SessionChannel, StreamId> gaps = new HashMap<>();
        for (SessionChannel ch : channels.values()) {
            if (ch.gapFrom != null) {
                gaps.put(ch, ch.gapFrom);
            }
        }
        // a bounded number of reads at a time (the replica's budget shared by its loops), each retried with backoff
        Multi.createFrom().iterable(gaps.entrySet())
                .onItem().transformToUni(gap -> fillGap(gap.getKey(), gap.getValue(), loss))
                .merge(owner.gapFillConcurrencyPerLoop())
                .subscribe().with(ignored -> { }, err -> LOG.warnf("gap fill stopped: %s", err.getMessage()));
    }

    private Uni<Void> fillGap(SessionChannel ch, StreamId from, long loss) {
        return owner.readAfter(ch.sessionId, from)
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(5)
                .onItemOrFailure().transformToUni((events, err) -> Uni.createFrom().emitter(em -> loop.execute(() -> {
                    if (err == null) {
                        if (loss == losses && ch.gapFrom == from) {
                            ch.gapFrom = null;
                        }
                        for (ClientConnection c : new ArrayList<>(ch.clients)) {
                            c.fillGap(loss, events);
                        }
                    } else {
                        // Clients stay buffering; drop them so they resume (with last_event_id) rather than stall.
                        LOG.warnf("gap fill for a session failed: %s", err.getMessage());
                        for (ClientConnection c : new ArrayList<>(ch.clients)) {
                            c.close(RelayCloseCodes.INTERNAL_ERROR, "unavailable", "unavailable");
                        }
                    }
                    em.complete(null);
                })));
    }
}

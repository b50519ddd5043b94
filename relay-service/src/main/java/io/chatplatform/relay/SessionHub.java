package io.chatplatform.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Fan-out: one Redis subscription per session with clients on this replica, shared by all of them; events go to
 * every client of the session. Also reads the session's stream for resume.
 */
@ApplicationScoped
public class SessionHub {

    private static final Logger LOG = Logger.getLogger(SessionHub.class);
    static final String CHANNEL_PREFIX = "chat:events:";
    /** Keys keep the braces literally (Redis Cluster hash tag): chat:events:{sid}, chat:stream:{sid}. */
    static final String STREAM_PREFIX = "chat:stream:";

    private final RedisSubscriptions subscriptions;
    private final ReactiveRedisDataSource redis;
    private final EventCodec codec;
    private final RelayConfig config;

    private final Map<String, SessionChannel> channels = new ConcurrentHashMap<>();
    /** Counts losses of the subscriber connection (guarded by channels). */
    private long losses;

    public SessionHub(RedisSubscriptions subscriptions, ReactiveRedisDataSource redis, EventCodec codec,
            RelayConfig config) {
        this.subscriptions = subscriptions;
        this.redis = redis;
        this.codec = codec;
        this.config = config;
    }

    @PostConstruct
    void init() {
        subscriptions.listener(this::onMessage, this::onLost, this::onResubscribed);
    }

    /** What a resume found in the stream. */
    public record Replay(boolean recovered, List<RelayEvent> events) {
    }

    private static final class SessionChannel {
        final String sessionId;
        final Set<ClientConnection> clients = ConcurrentHashMap.newKeySet();
        volatile CompletableFuture<Void> subscribed;
        volatile StreamId lastLive;
        /** Where the stream must be read from after a lost subscription; null when no gap is open. */
        StreamId gapFrom;
        final long createdAtMs = System.currentTimeMillis();

        SessionChannel(String sessionId) {
            this.sessionId = sessionId;
        }
    }

    /** Adds the client to its session, subscribing first if it is the session's first client here. */
    public Uni<Void> join(ClientConnection client) {
        SessionChannel ch;
        synchronized (channels) {
            ch = channels.computeIfAbsent(client.sessionId(), SessionChannel::new);
            ch.clients.add(client);
            if (ch.subscribed == null || ch.subscribed.isCompletedExceptionally()) {
                ch.subscribed = subscriptions.subscribe(channelKey(client.sessionId()));
            }
        }
        return Uni.createFrom().completionStage(ch.subscribed);
    }

    /** Removes the client; the last one to leave ends the session's subscription on this replica. */
    public void leave(ClientConnection client) {
        synchronized (channels) {
            SessionChannel ch = channels.get(client.sessionId());
            if (ch == null) {
                return;
            }
            ch.clients.remove(client);
            if (ch.clients.isEmpty()) {
                channels.remove(client.sessionId());
                subscriptions.unsubscribe(channelKey(client.sessionId()));
            }
        }
    }

    public static String channelKey(String sessionId) {
        return CHANNEL_PREFIX + "{" + sessionId + "}";
    }

    public static String streamKey(String sessionId) {
        return STREAM_PREFIX + "{" + sessionId + "}";
    }

    public int activeSessions() {
        return channels.size();
    }

    public int clientsOf(String sessionId) {
        SessionChannel ch = channels.get(sessionId);
        return ch == null ? 0 : ch.clients.size();
    }

    private void onMessage(String channel, String payload) {
        if (!channel.startsWith(CHANNEL_PREFIX)) {
            return;
        }
        String tagged = channel.substring(CHANNEL_PREFIX.length());
        if (tagged.length() < 2 || tagged.charAt(0) != '{' || tagged.charAt(tagged.length() - 1) != '}') {
            return;
        }
        SessionChannel ch = channels.get(tagged.substring(1, tagged.length() - 1));
        if (ch == null) {
            return;
        }
        RelayEvent e = codec.fromPublished(payload);
        if (e == null) {
            LOG.debugf("dropping non-JSON message on %s", channel);
            return;
        }
        if (e.id() != null) {
            ch.lastLive = e.id();
        }
        for (ClientConnection c : ch.clients) {
            c.deliver(e);
        }
    }

    /**
     * The subscriber connection is gone: every client of this replica buffers live events from now on, and the
     * point each session's stream must be read from is remembered (the last event seen before the loss; for
     * sessions without one, shortly before the loss but not before they were joined).
     */
    private void onLost(long lostAtMs) {
        synchronized (channels) {
            long loss = ++losses;
            for (SessionChannel ch : channels.values()) {
                if (ch.gapFrom == null) { // a still unfilled older gap starts earlier
                    ch.gapFrom = ch.lastLive != null ? ch.lastLive
                            : new StreamId(Math.max(ch.createdAtMs, lostAtMs - 2000), 0);
                }
                for (ClientConnection c : ch.clients) {
                    c.pause(loss);
                }
            }
        }
    }

    /**
     * Resubscribed after a loss: the same path as a resume. The subscriptions are live again (new events are
     * buffered per client), so reading the stream now covers the gap; each client then sends missed and buffered
     * events in stream order, dropping ids it already sent, and goes live.
     */
    private void onResubscribed() {
        long loss;
        Map<SessionChannel, StreamId> gaps = new java.util.HashMap<>();
        synchronized (channels) {
            loss = losses;
            for (SessionChannel ch : channels.values()) {
                if (ch.gapFrom != null) {
                    gaps.put(ch, ch.gapFrom);
                }
            }
        }
        // a bounded number of reads at a time, each retried with backoff before its clients are given up on
        Multi.createFrom().iterable(gaps.entrySet())
                .onItem().transformToUni(gap -> fillGap(gap.getKey(), gap.getValue(), loss))
                .merge(config.gapFillConcurrency())
                .subscribe().with(ignored -> { }, err -> LOG.warnf("gap fill stopped: %s", err.getMessage()));
    }

    private Uni<Void> fillGap(SessionChannel ch, StreamId from, long loss) {
        return readAfter(ch.sessionId, from)
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(5)
                .map(events -> {
                    synchronized (channels) {
                        if (loss == losses && ch.gapFrom == from) {
                            ch.gapFrom = null;
                        }
                    }
                    for (ClientConnection c : ch.clients) {
                        c.fillGap(loss, events);
                    }
                    return (Void) null;
                })
                .onFailure().recoverWithItem(err -> {
                    // Clients stay buffering; drop them so they resume (with last_event_id) rather than stall.
                    LOG.warnf("gap fill for a session failed: %s", err.getMessage());
                    for (ClientConnection c : ch.clients) {
                        c.close(RelayCloseCodes.INTERNAL_ERROR, "unavailable", "unavailable");
                    }
                    return null;
                });
    }

    /**
     * Resume: events after {@code after}. Not recovered when the stream is gone or no longer reaches back to
     * {@code after} (trimmed by MAXLEN or expired): the client must reload history from session-service.
     */
    public Uni<Replay> replay(String sessionId, StreamId after) {
        String key = streamKey(sessionId);
        return redis.execute("XRANGE", key, "-", "+", "COUNT", "1").chain(first -> {
            if (first == null || first.size() == 0) {
                return Uni.createFrom().item(new Replay(false, List.of()));
            }
            StreamId oldest = StreamId.parse(first.get(0).get(0).toString());
            if (oldest == null || oldest.compareTo(after) > 0) {
                return Uni.createFrom().item(new Replay(false, List.of()));
            }
            return readAfter(sessionId, after).map(events -> new Replay(true, events));
        });
    }

    private Uni<List<RelayEvent>> readAfter(String sessionId, StreamId after) {
        return redis.execute("XRANGE", streamKey(sessionId), "(" + after, "+", "COUNT",
                Integer.toString(config.maxReplay())).map(this::toEvents);
    }

    private List<RelayEvent> toEvents(Response r) {
        List<RelayEvent> out = new ArrayList<>();
        if (r == null) {
            return out;
        }
        for (Response entry : r) {
            String id = entry.get(0).toString();
            Response fields = entry.get(1);
            List<String> kv = new ArrayList<>();
            if (fields != null) {
                for (Response f : fields) {
                    kv.add(f.toString());
                }
            }
            RelayEvent e = codec.fromStreamEntry(id, kv);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }
}

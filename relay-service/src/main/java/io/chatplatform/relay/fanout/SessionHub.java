package io.chatplatform.relay.fanout;

import io.chatplatform.relay.RelayConfig;
import io.chatplatform.relay.RelayMetrics;
import io.chatplatform.relay.redis.RedisSubscriptions;
import io.chatplatform.relay.socket.ClientConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.netty.channel.EventLoop;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.redis.client.Response;

/**
 * Fan-out: the sessions' subscriptions live on the event loop that owns their clients' sockets (a {@link LoopHub}
 * per loop, each with its own subscriber connection), so an event is read once per loop and written to its clients
 * there, with no hand-over between threads. Also reads the session's stream for resume and gap fill.
 */
@ApplicationScoped
public class SessionHub {

    static final String CHANNEL_PREFIX = "chat:events:";
    /** Keys keep the braces literally (Redis Cluster hash tag): chat:events:{sid}, chat:stream:{sid}. */
    static final String STREAM_PREFIX = "chat:stream:";

    private final RedisSubscriptions subscriptions;
    private final ReactiveRedisDataSource redis;
    private final EventCodec codec;
    private final RelayConfig config;
    private final RelayMetrics metrics;
    private final Map<EventLoop, LoopHub> hubs = new ConcurrentHashMap<>();

    public SessionHub(RedisSubscriptions subscriptions, ReactiveRedisDataSource redis, EventCodec codec,
            RelayConfig config, RelayMetrics metrics) {
        this.subscriptions = subscriptions;
        this.redis = redis;
        this.codec = codec;
        this.config = config;
        this.metrics = metrics;
    }

    /** What a resume found in the stream. */
    public record Replay(boolean recovered, List<RelayEvent> events) {
    }

    /**
     * Adds the client to its session on the client's event loop, subscribing first if it is the session's first
     * client there; completes once the subscription is live. {@code context} is a Vert.x context of that loop.
     */
    public Uni<Void> join(ClientConnection client, Context context) {
        LoopHub hub = hubs.computeIfAbsent(client.loop(), l -> new LoopHub(l, context, subscriptions, this));
        CompletableFuture<Void> joined = new CompletableFuture<>();
        client.loop().execute(() -> hub.join(client).whenComplete((v, err) -> {
            if (err == null) {
                joined.complete(null);
            } else {
                joined.completeExceptionally(err);
            }
        }));
        return Uni.createFrom().completionStage(joined);
    }

    /** Removes the client (later, on its loop); the last one to leave ends the session's subscription there. */
    public void leave(ClientConnection client) {
        LoopHub hub = hubs.get(client.loop());
        if (hub != null) {
            client.loop().execute(() -> hub.leave(client));
        }
    }

    public static String channelKey(String sessionId) {
        return CHANNEL_PREFIX + "{" + sessionId + "}";
    }

    public static String streamKey(String sessionId) {
        return STREAM_PREFIX + "{" + sessionId + "}";
    }

    /** The session id of {@code chat:events:{sid}}; null for any other channel. */
    static String sessionOf(String channel) {
        int n = channel.length();
        int p = CHANNEL_PREFIX.length();
        if (n < p + 2 || !channel.startsWith(CHANNEL_PREFIX) || channel.charAt(p) != '{' || channel.charAt(n - 1) != '}') {
            return null;
        }
        return channel.substring(p + 1, n - 1);
    }

    /** Clients of the session on this replica (over all loops). */
    public int clientsOf(String sessionId) {
        int n = 0;
        for (LoopHub h : hubs.values()) {
            n += h.clientsOf(sessionId);
        }
        return n;
    }

    EventCodec codec() {
        return codec;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    /** relay.gap-fill-concurrency is the replica's budget: each loop refills its sessions with its share. */
    int gapFillConcurrencyPerLoop() {
        return Math.max(1, config.gapFillConcurrency() / Math.max(1, hubs.size()));
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

    /**
     * Scans the stream back from its end, by the entries' {@code type} field only, to the turn in flight: the
     * latest {@code message.created} with no {@code message.completed} / {@code message.failed} after it (a
     * session runs one turn at a time). Returns that turn's entries from its {@code message.created} on, or none
     * when no turn is in flight, it is longer than ARGV[1] entries (then the history's stored part is all there
     * is: a replay cut at the front would leave a gap), or its newest event is older than ARGV[2] ms (a turn
     * whose chat-service died: it would look in flight for ever). One round trip, read-only.
     */
    static final String IN_FLIGHT_SCRIPT = """
            local budget = tonumber(ARGV[1])
            local upto = '+'
            local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
            if not newest then return {} end
            local now = redis.call('TIME')
            local idle = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(string.match(newest[1], '^%d+'))
            if idle > tonumber(ARGV[2]) then return {} end
            while budget > 0 do
              local page = redis.call('XREVRANGE', KEYS[1], upto, '-', 'COUNT', math.min(budget, 256))
              if #page == 0 then return {} end
              for _, e in ipairs(page) do
                local f = e[2]
                for i = 1, #f, 2 do
                  if f[i] == 'type' then
                    local t = f[i + 1]
                    if t == 'message.completed' or t == 'message.failed' then return {} end
                    if t == 'message.created' then
                      return redis.call('XRANGE', KEYS[1], e[1], '+', 'COUNT', ARGV[1])
                    end
                    break
                  end
                end
              end
              budget = budget - #page
              upto = '(' .. page[#page][1]
            end
            return {}
            """;

    /**
     * A client without a usable {@code last_event_id}: the events of the turn in flight, from its
     * {@code message.created} on (none when no turn runs), so a page opened mid-answer shows the whole answer.
     */
    public Uni<List<RelayEvent>> inFlightTurn(String sessionId) {
        return redis.execute("EVAL", IN_FLIGHT_SCRIPT, "1", streamKey(sessionId), Integer.toString(config.maxReplay()),
                Long.toString(config.inFlightIdle().toMillis())).map(this::toEvents);
    }

    Uni<List<RelayEvent>> readAfter(String sessionId, StreamId after) {
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

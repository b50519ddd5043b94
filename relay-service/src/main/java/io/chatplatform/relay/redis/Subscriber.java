package io.chatplatform.relay.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.vertx.core.Context;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection in subscribe mode, owned by one event loop: it is opened from that loop's context, so its
 * messages arrive on the loop that also owns the sockets they go to. It multiplexes a SUBSCRIBE per session with
 * clients on that loop. A subscribe future completes only when Redis confirms the subscription, so a stream read
 * after it cannot miss an event published in between. On connection loss it reconnects, resubscribes and tells
 * the listener so it can fill the gap from the streams.
 */
public final class Subscriber {

    private static final Logger LOG = Logger.getLogger(Subscriber.class);

    /** What the owning loop hears from its connection (always called on that loop). */
    public interface Listener {
        void message(String channel, byte[] payload);

        /** The connection is gone (at {@code lostAtMs}), after every message that came before it. */
        void lost(long lostAtMs);

        /** Every wanted channel is subscribed again after a loss. */
        void resubscribed();
    }

    private final Redis redis;
    private final Context context;
    private final String name;
    private final Listener listener;
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final Map<String, Boolean> wanted = new ConcurrentHashMap<>();
    private volatile boolean connected;
    private volatile boolean stopped;
    private CompletableFuture<RedisConnection> connection;

    Subscriber(Redis redis, Context context, String name, Listener listener) {
        this.redis = redis;
        this.context = context;
        this.name = name;
        this.listener = listener;
    }

    /** CLIENT SETNAME of the connection, so operators (and tests) can find it. */
    String name() {
        return name;
    }

    /** False while channels are wanted but the connection is down. */
    boolean healthy() {
        return wanted.isEmpty() || connected;
    }

    java.util.Set<String> channels() {
        return wanted.keySet();
    }

    /** Completes once Redis has confirmed the subscription. */
    public CompletableFuture<Void> subscribe(String channel) {
        wanted.put(channel, Boolean.TRUE);
        CompletableFuture<Void> done = pending.computeIfAbsent(channel, c -> new CompletableFuture<>());
        connection().thenAccept(conn -> conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel))
                .onFailure(err -> failed(channel, err)))
                .exceptionally(err -> {
                    failed(channel, err);
                    return null;
                });
        return done;
    }

    private void failed(String channel, Throwable err) {
        CompletableFuture<Void> p = pending.remove(channel);
        if (p != null) {
            p.completeExceptionally(err);
        }
    }

    public void unsubscribe(String channel) {
        wanted.remove(channel);
        CompletableFuture<RedisConnection> c = current();
        if (c != null) {
            c.thenAccept(conn -> conn.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)));
        }
    }

    private synchronized CompletableFuture<RedisConnection> current() {
        return connection;
    }

    private synchronized CompletableFuture<RedisConnection> connection() {
        if (connection == null || connection.isCompletedExceptionally()) {
            CompletableFuture<RedisConnection> f = new CompletableFuture<>();
            connection = f;
            // connected from the owning loop's context: the connection's handlers run on that loop
            context.runOnContext(v -> redis.connect().onSuccess(conn -> {
                conn.handler(this::handle);
                conn.exceptionHandler(err -> lost(f, err));
                conn.endHandler(x -> lost(f, null));
                conn.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(name)).onComplete(named -> {
                    connected = true;
                    f.complete(conn);
                });
            }).onFailure(err -> {
                f.completeExceptionally(err);
                scheduleReconnect();
            }));
        }
        return connection;
    }

    private void handle(Response r) {
        if (r == null || r.size() < 3) {
            return;
        }
        String kind = r.get(0).toString();
        switch (kind) {
            case "message" -> listener.message(r.get(1).toString(), r.get(2).toBytes());
            case "subscribe" -> {
                CompletableFuture<Void> p = pending.remove(r.get(1).toString());
                if (p != null) {
                    p.complete(null);
                }
            }
            default -> {
            }
        }
    }

    private void lost(CompletableFuture<RedisConnection> which, Throwable err) {
        long lostAtMs;
        synchronized (this) {
            if (connection != which) {
                return;
            }
            connection = null;
            connected = false;
            lostAtMs = System.currentTimeMillis();
        }
        if (stopped) {
            return;
        }
        LOG.warnf("Redis pub/sub connection %s lost (%s); resubscribing", name, err == null ? "closed" : err.getMessage());
        listener.lost(lostAtMs);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopped) {
            return;
        }
        context.owner().setTimer(500, t -> context.runOnContext(v -> {
            List<String> channels = new ArrayList<>(wanted.keySet());
            if (channels.isEmpty()) {
                return;
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (String ch : channels) {
                all.add(subscribe(ch));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenRun(() -> context.runOnContext(x -> listener.resubscribed()));
        }));
    }

    /** Shutting down: a loss from now on is not a gap to fill. */
    void stopping() {
        stopped = true;
    }

    void stop() {
        stopped = true;
        CompletableFuture<RedisConnection> c = current();
        if (c != null) {
            c.thenAccept(RedisConnection::close);
        }
        redis.close();
    }
}

package io.chatplatform.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One dedicated Redis connection per replica in subscribe mode, multiplexing a SUBSCRIBE per active session
 * channel (the pooled pub/sub API of quarkus-redis would hold one pooled connection per channel). A subscribe
 * future completes only when Redis confirms the subscription, so a stream read after it cannot miss an event
 * published in between. On connection loss it reconnects, resubscribes and tells the listener so it can
 * fill the gap from the streams.
 */
@ApplicationScoped
public class RedisSubscriptions {

    private static final Logger LOG = Logger.getLogger(RedisSubscriptions.class);

    private final Redis redis;
    private final Vertx vertx;

    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final Map<String, Boolean> wanted = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, String> onMessage = (c, m) -> {
    };
    private volatile java.util.function.LongConsumer onLost = lostAt -> {
    };
    private volatile Runnable onResubscribed = () -> {
    };
    private volatile long lostAtMs;
    private volatile boolean connected;
    /** CLIENT SETNAME of the subscriber connection, so operators (and tests) can find this replica's one. */
    private final String connectionName = "relay-pubsub-" + java.util.UUID.randomUUID();
    private CompletableFuture<RedisConnection> connection;
    private volatile boolean stopped;

    public RedisSubscriptions(Redis redis, Vertx vertx) {
        this.redis = redis;
        this.vertx = vertx;
    }

    /**
     * {@code onLost} runs on the loss of the subscriber connection (with its time), after every message that came
     * before it; {@code onResubscribed} once every wanted channel is subscribed again.
     */
    public void listener(BiConsumer<String, String> onMessage, java.util.function.LongConsumer onLost,
            Runnable onResubscribed) {
        this.onMessage = onMessage;
        this.onLost = onLost;
        this.onResubscribed = onResubscribed;
    }

    /** Completes once Redis has confirmed the subscription. */
    public CompletableFuture<Void> subscribe(String channel) {
        wanted.put(channel, Boolean.TRUE);
        CompletableFuture<Void> done = pending.computeIfAbsent(channel, c -> new CompletableFuture<>());
        connection().thenAccept(conn -> conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).onFailure(err -> {
            CompletableFuture<Void> p = pending.remove(channel);
            if (p != null) {
                p.completeExceptionally(err);
            }
        })).exceptionally(err -> {
            CompletableFuture<Void> p = pending.remove(channel);
            if (p != null) {
                p.completeExceptionally(err);
            }
            return null;
        });
        return done;
    }

    public void unsubscribe(String channel) {
        wanted.remove(channel);
        CompletableFuture<RedisConnection> c = currentConnection();
        if (c != null) {
            c.thenAccept(conn -> conn.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)));
        }
    }

    public String connectionName() {
        return connectionName;
    }

    /** False while channels are wanted but the subscriber connection is down. */
    public boolean healthy() {
        return wanted.isEmpty() || connected;
    }

    public int channelCount() {
        return wanted.size();
    }

    private synchronized CompletableFuture<RedisConnection> currentConnection() {
        return connection;
    }

    private synchronized CompletableFuture<RedisConnection> connection() {
        if (connection == null || connection.isCompletedExceptionally()) {
            CompletableFuture<RedisConnection> f = new CompletableFuture<>();
            connection = f;
            redis.connect().onSuccess(conn -> {
                conn.handler(this::handle);
                conn.exceptionHandler(err -> lost(f, err));
                conn.endHandler(v -> lost(f, null));
                conn.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(connectionName)).onComplete(named -> {
                    connected = true;
                    f.complete(conn);
                });
            }).onFailure(err -> {
                f.completeExceptionally(err);
                scheduleReconnect();
            });
        }
        return connection;
    }

    private void handle(Response r) {
        if (r == null || r.size() < 3) {
            return;
        }
        String kind = r.get(0).toString();
        switch (kind) {
            case "message" -> onMessage.accept(r.get(1).toString(), r.get(2).toString());
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
        LOG.warnf("Redis pub/sub connection lost (%s); resubscribing", err == null ? "closed" : err.getMessage());
        onLost.accept(lostAtMs);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopped) {
            return;
        }
        vertx.setTimer(500, t -> {
            List<String> channels = new ArrayList<>(wanted.keySet());
            if (channels.isEmpty()) {
                return;
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (String ch : channels) {
                all.add(subscribe(ch));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenRun(onResubscribed);
        });
    }

    void stopping(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent ev) {
        stopped = true;
    }

    @PreDestroy
    void stop() {
        stopped = true;
        CompletableFuture<RedisConnection> c = currentConnection();
        if (c != null) {
            c.thenAccept(RedisConnection::close);
        }
    }

    Map<String, Boolean> debugWanted() {
        return new HashMap<>(wanted);
    }
}

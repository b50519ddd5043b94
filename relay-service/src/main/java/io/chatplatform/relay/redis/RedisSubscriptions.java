package io.chatplatform.relay.redis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.redis.client.RedisClientName;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Context;
import io.vertx.redis.client.Redis;

/**
 * The replica's subscriber connections: one per event loop that has clients, each opened from that loop (a
 * dedicated Redis client, {@code quarkus.redis.relay-pubsub.*}, so they never take connections from the pool the
 * stream reads use). Named {@code relay-pubsub-<replica uuid>-<n>} with CLIENT SETNAME.
 */
@ApplicationScoped
public class RedisSubscriptions {

    private final Redis redis;
    private final String prefix = "relay-pubsub-" + UUID.randomUUID();
    private final List<Subscriber> all = new CopyOnWriteArrayList<>();

    public RedisSubscriptions(@RedisClientName("relay-pubsub") Redis redis) {
        this.redis = redis;
    }

    /** A new subscriber connection owned by the event loop of {@code context}. */
    public Subscriber open(Context context, Subscriber.Listener listener) {
        Subscriber s = new Subscriber(redis, context, prefix + "-" + all.size(), listener);
        all.add(s);
        return s;
    }

    /** The CLIENT SETNAME prefix of this replica's subscriber connections. */
    public String connectionName() {
        return prefix;
    }

    /** False while one of the connections is down and its loop has sessions with clients. */
    public boolean healthy() {
        for (Subscriber s : all) {
            if (!s.healthy()) {
                return false;
            }
        }
        return true;
    }

    /** Sessions subscribed on this replica (a session with clients on two event loops is subscribed twice, counted once). */
    public int channelCount() {
        Set<String> channels = new HashSet<>();
        for (Subscriber s : all) {
            channels.addAll(s.channels());
        }
        return channels.size();
    }

    void stopping(@Observes ShutdownEvent ev) {
        all.forEach(Subscriber::stopping);
    }

    @PreDestroy
    void stop() {
        all.forEach(Subscriber::stop);
    }
}

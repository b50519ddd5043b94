package io.chatplatform.relay.redis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Context;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * The replica's subscriber connections: one per event loop that has clients, each opened from that loop through a
 * Redis client of its own (a pool of one at {@code quarkus.redis.hosts}). A shared pool would hand out any idle
 * connection, bound to whichever loop opened it, and the messages would then arrive on the wrong loop; nor do
 * they take connections from the pool the stream reads use. Named {@code relay-pubsub-<replica uuid>-<n>} with
 * CLIENT SETNAME.
 */
@ApplicationScoped
public class RedisSubscriptions {

    private final String url;
    private final String prefix = "relay-pubsub-" + UUID.randomUUID();
    private final List<Subscriber> all = new CopyOnWriteArrayList<>();

    public RedisSubscriptions(@ConfigProperty(name = "quarkus.redis.hosts") List<String> hosts) {
        this.url = hosts.get(0).trim();
    }

    /** A new subscriber connection owned by the event loop of {@code context}. */
    public Subscriber open(Context context, Subscriber.Listener listener) {
        Redis client = Redis.createClient(context.owner(), new RedisOptions().setConnectionString(url)
                .setMaxPoolSize(1).setMaxPoolWaiting(64));
        Subscriber s = new Subscriber(client, context, prefix + "-" + all.size(), listener);
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

package io.chatplatform.chat.turn;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@code chat:cancel} subscription: a Stop may reach another replica than the one running the turn, which
 * publishes it here. The subscriber connection is the Redis client's own (its end and exception handlers tell us
 * when it is gone); a lost one is subscribed again, with a growing delay while Redis is down.
 */
@ApplicationScoped
public class CancelChannel {

    private static final Logger LOG = Logger.getLogger(CancelChannel.class);
    static final String CHANNEL = "chat:cancel";

    private final ReactiveRedisDataSource redis;
    private final Counter resubscribed;
    /** Bumped by each subscription attempt: a late end or error of an older connection changes nothing. */
    private final AtomicLong generation = new AtomicLong();
    private volatile Consumer<String> listener;
    private volatile ReactiveRedisSubscriber current;
    private volatile boolean up;
    private volatile boolean stopped;

    public CancelChannel(ReactiveRedisDataSource redis, MeterRegistry registry) {
        this.redis = redis;
        this.resubscribed = Counter.builder("chat_cancel_resubscribed_total")
                .description("chat:cancel subscriptions made again after the connection was lost").register(registry);
        registry.gauge("chat_cancel_subscribed", this, c -> c.up ? 1 : 0);
    }

    /** Starts listening; {@code onCancel} gets the message ids published by any replica. Non-blocking. */
    void listen(Consumer<String> onCancel) {
        this.listener = onCancel;
        subscribe(false);
    }

    private void subscribe(boolean again) {
        long mine = generation.incrementAndGet();
        Uni.createFrom().deferred(() -> redis.pubsub(String.class).subscribe(CHANNEL, this::deliver,
                        () -> lost(mine, null), err -> lost(mine, err)))
                .onFailure(f -> !stopped).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely()
                .subscribe().with(s -> subscribed(mine, s, again),
                        err -> LOG.warnf("cancel channel not subscribed: %s", err.getMessage()));
    }

    private void subscribed(long mine, ReactiveRedisSubscriber s, boolean again) {
        if (stopped || generation.get() != mine) {
            s.unsubscribe().subscribe().with(x -> { }, e -> { });
            return;
        }
        current = s;
        up = true;
        if (again) {
            resubscribed.increment();
            LOG.infof("cancel channel %s subscribed again", CHANNEL);
        }
    }

    private synchronized void lost(long mine, Throwable err) {
        // the end and the exception handler of one connection both fire: only the first one counts
        if (stopped || generation.get() != mine) {
            return;
        }
        up = false;
        current = null;
        LOG.warnf("cancel channel connection lost (%s); subscribing again", err == null ? "closed" : err.getMessage());
        subscribe(true);
    }

    private void deliver(String messageId) {
        Consumer<String> l = listener;
        if (l != null) {
            l.accept(messageId);
        }
    }

    void stop() {
        stopped = true;
        ReactiveRedisSubscriber s = current;
        if (s != null) {
            s.unsubscribe().subscribe().with(x -> { }, e -> { });
        }
    }

    /** True while subscribed (and when shutting down: no Stop is missed then, every turn here is cancelled). */
    boolean healthy() {
        return up || stopped;
    }
}

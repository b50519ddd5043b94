package io.chatplatform.common.token;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands.ReactiveRedisSubscriber;
import io.quarkus.redis.datasource.sortedset.ScoredValue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps {@link RevokedTokens} current without a Redis call on the request path: subscribes to
 * {@link TokenRevoker#CHANNEL}, then reads the whole index (subscribing first, so a revocation written in between is
 * heard on the channel). A lost or failed subscription is retried and the index read again after it, so nothing
 * published while it was down is missed; the index is also re-read every {@code reload-interval} as a safety net.
 * Everything is reactive: nothing here blocks the event loop it runs on.
 */
@ApplicationScoped
class RevocationFeed {

    private static final Logger LOG = Logger.getLogger(RevocationFeed.class);
    private static final Duration FIRST_LOAD_WAIT = Duration.ofSeconds(3);

    private final ReactiveRedisDataSource redis;
    private final RevokedTokens revoked;
    private final TokenConfig.Revocation config;
    private final Vertx vertx;
    private final AtomicLong generation = new AtomicLong();
    private volatile ReactiveRedisSubscriber subscriber;
    private volatile boolean stopped;
    private long timer = -1;

    RevocationFeed(ReactiveRedisDataSource redis, RevokedTokens revoked, TokenConfig config, Vertx vertx) {
        this.redis = redis;
        this.revoked = revoked;
        this.config = config.revocation();
        this.vertx = vertx;
    }

    /** Start-up runs off the event loop: wait briefly for the first load, so a fresh replica starts informed. */
    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.reloadInterval().toMillis(), id -> {
            revoked.purge();
            reload().subscribe().with(x -> { }, err -> LOG.debugf("revocation index reload failed: %s", err.toString()));
        });
        try {
            // a timeout here must not cancel the subscription: wait on a stage of its own
            subscribe().subscribeAsCompletionStage().get(FIRST_LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("revocations not loaded at start (%s); retrying in the background", e.toString());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        vertx.cancelTimer(timer);
        ReactiveRedisSubscriber s = subscriber;
        if (s != null) {
            s.unsubscribe().subscribe().with(x -> { }, err -> { });
        }
    }

    private Uni<Void> subscribe() {
        long gen = generation.incrementAndGet();
        return redis.pubsub(String.class)
                .subscribe(TokenRevoker.CHANNEL, this::heard, () -> lost(gen, null), err -> lost(gen, err))
                .invoke(s -> subscriber = s)
                .chain(this::reload)
                .onFailure().invoke(err -> lost(gen, err));
    }

    /** Once per subscription (end, error and a failed start may all report the same loss). */
    private void lost(long gen, Throwable err) {
        if (stopped || !generation.compareAndSet(gen, gen + 1)) {
            return;
        }
        LOG.warnf("revocation channel lost (%s); resubscribing in %s", err == null ? "connection closed" : err.toString(),
                config.retryInterval());
        ReactiveRedisSubscriber old = subscriber;
        if (old != null) {
            old.unsubscribe().subscribe().with(x -> { }, e -> { });
        }
        vertx.setTimer(config.retryInterval().toMillis(), id -> subscribe().subscribe().with(x -> { }, e -> { }));
    }

    private Uni<Void> reload() {
        return redis.sortedSet(String.class).zrangeWithScores(TokenRevoker.INDEX, 0, -1)
                .invoke(this::applyAll)
                .replaceWithVoid();
    }

    private void applyAll(List<ScoredValue<String>> entries) {
        for (ScoredValue<String> e : entries) {
            revoked.apply(e.value(), (long) e.score());
        }
    }

    /** {@code <member> <expiry ms>}, as {@link TokenRevoker} publishes it. */
    private void heard(String message) {
        int space = message == null ? -1 : message.lastIndexOf(' ');
        try {
            revoked.apply(message.substring(0, space), Long.parseLong(message.substring(space + 1)));
        } catch (RuntimeException e) {
            LOG.warnf("unreadable revocation message ignored");
        }
    }
}

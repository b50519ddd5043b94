package io.chatplatform.common.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.PendingMessage;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XPendingArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Consumes {@code user.deleted} from the Redis stream {@code platform:user-events} in the service's consumer
 * group and hands it to the service's {@link UserDeletedHandler}: at least once, acknowledged only after the
 * handler returned. A service without a handler does not consume.
 * <p>
 * An entry whose delete fails stays pending and is retried (XCLAIM) once it has rested
 * {@code platform.user-events.retry-delay}; meanwhile newer entries go on being read, so one bad entry
 * holds up nobody else. When the delivery that fails is the {@code max-attempts}-th (the delivery count
 * of XPENDING), the entry is copied to the dead-letter stream and acknowledged, in one MULTI. The same
 * retry picks up this consumer's entries delivered before a crash or restart; entries left pending by
 * a vanished replica are claimed with XAUTOCLAIM after {@code platform.user-events.claim-idle}.
 * Logs name entries by stream id only: no user ids. Dead-lettered entries are counted
 * ({@code platform_user_events_dead_lettered_total}, alerted on).
 */
@ApplicationScoped
public class UserEventsConsumer {

    private static final Logger LOG = Logger.getLogger(UserEventsConsumer.class);
    private static final Duration BLOCK = Duration.ofMillis(500);
    private static final Duration CLAIM_EVERY = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final int BATCH = 50;

    private final RedisDataSource redis;
    private final StreamCommands<String, String, String> stream;
    private final Instance<UserDeletedHandler> handler;
    private final UserEventsConfig config;
    private final Counter deadLettered; // null where the service does not consume

    private volatile boolean running;
    /** The one loop allowed to handle entries; guarded by {@code this}. */
    private Thread worker;

    public UserEventsConsumer(RedisDataSource redis, Instance<UserDeletedHandler> handler, UserEventsConfig config,
                              MeterRegistry registry) {
        this.redis = redis;
        this.stream = redis.stream(String.class);
        this.handler = handler;
        this.config = config;
        this.deadLettered = !handler.isResolvable() ? null : Counter.builder("platform_user_events_dead_lettered")
                .description("platform:user-events entries that kept failing and went to the dead-letter stream")
                .tag("group", config.group()).register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (handler.isResolvable()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        // a stop() that gave up waiting may have left the previous loop finishing an entry: the new one
        // waits for it, and the old one leaves at its next check (it is no longer the worker)
        Thread previous = worker;
        worker = Thread.ofPlatform().name("user-events-consumer").daemon().unstarted(() -> {
            awaitEnd(previous);
            loop();
        });
        worker.start();
    }

    /** Stops reading; waits (a while) for the loop to finish the entry it is handling. */
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = worker;
        }
        if (t != null) {
            try {
                t.join(STOP_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        return running;
    }

    private synchronized boolean isCurrent() {
        return running && worker == Thread.currentThread();
    }

    private static void awaitEnd(Thread previous) {
        while (previous != null && previous.isAlive()) {
            try {
                previous.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop() {
        boolean groupReady = false;
        long lastClaim = 0;
        while (isCurrent()) {
            try {
                if (!groupReady) {
                    ensureGroup();
                    groupReady = true;
                }
                if (System.nanoTime() - lastClaim > claimEvery().toNanos()) {
                    // claimed entries are this consumer's now: handled at once; one that fails again is retried below
                    // (with XPENDING's delivery count, which decides the dead letter)
                    for (StreamMessage<String, String, String> m : stream.xautoclaim(config.stream(), config.group(),
                            config.consumer(), config.claimIdle(), "0-0", BATCH).getMessages()) {
                        handle(m, 1);
                    }
                    lastClaim = System.nanoTime();
                }
                retryPending();
                List<StreamMessage<String, String, String>> fresh = stream.xreadgroup(config.group(),
                        config.consumer(), config.stream(), ">", new XReadGroupArgs().count(BATCH).block(BLOCK));
                for (StreamMessage<String, String, String> m : fresh) {
                    if (!isCurrent()) {
                        break; // the rest stay pending: the next loop retries them
                    }
                    handle(m, 1);
                }
            } catch (Exception e) {
                if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
                    groupReady = false; // the stream (and its group) was deleted: create them again
                }
                if (isCurrent()) {
                    // Redis errors only (a failed delete is handled per entry): no personal data in them
                    LOG.warnf("user-events consumer: %s; retrying", e.toString());
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
    }

    /** Often enough that an entry is claimed soon after it has been idle {@code claim-idle}; at most every 30 s. */
    private Duration claimEvery() {
        Duration half = config.claimIdle().dividedBy(2);
        return half.compareTo(CLAIM_EVERY) < 0 ? half : CLAIM_EVERY;
    }

    /** This consumer's pending entries that have rested {@code retry-delay}: failed before, or read before a restart. */
    private void retryPending() {
        List<PendingMessage> due = stream.xpending(config.stream(), config.group(), StreamRange.of("-", "+"), BATCH,
                new XPendingArgs().consumer(config.consumer()).idle(config.retryDelay()));
        for (PendingMessage p : due) {
            if (!isCurrent()) {
                return;
            }
            // XCLAIM increments the delivery count: this is delivery p+1. An entry trimmed from the
            // stream comes back empty (and leaves the pending list).
            for (StreamMessage<String, String, String> m : stream.xclaim(config.stream(), config.group(),
                    config.consumer(), config.retryDelay(), p.getMessageId())) {
                handle(m, p.getDeliveryCount() + 1);
            }
        }
    }

    private void ensureGroup() {
        try {
            // from 0: events written before this service first ran are still applied (deletes are idempotent)
            stream.xgroupCreate(config.stream(), config.group(), "0", new XGroupCreateArgs().mkstream());
            LOG.infof("created consumer group %s on %s", config.group(), config.stream());
        } catch (Exception e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /**
     * Applies one entry and acknowledges it. When the delete fails the entry stays pending for a retry,
     * unless this was its last allowed delivery: then it goes to the dead-letter stream.
     */
    private void handle(StreamMessage<String, String, String> m, int delivery) {
        try {
            apply(m);
        } catch (RuntimeException e) {
            if (delivery >= config.maxAttempts()) {
                deadLetter(m, delivery, e);
            } else {
                LOG.warnf("user-events entry %s: attempt %d of %d failed (%s); retrying in %s", m.id(), delivery,
                        config.maxAttempts(), e.getClass().getName(), config.retryDelay());
            }
            return;
        }
        // other types (and entries trimmed from the stream) concern others: acknowledge and move on
        stream.xack(config.stream(), config.group(), m.id());
    }

    private void apply(StreamMessage<String, String, String> m) {
        Map<String, String> fields = m.payload();
        String type = fields == null ? null : fields.get("type");
        if ("user.deleted".equals(type)) {
            UUID userId = parse(fields.get("user_id"));
            if (userId != null) {
                String done = handler.get().userDeleted(userId); // committed before the ack
                LOG.infof("user.deleted entry %s: %s", m.id(), done);
            } else {
                LOG.warnf("user.deleted entry %s without a valid user_id; skipped", m.id());
            }
        }
    }

    /** The entry's fields plus {@code dlq_*} facts, added to the dead-letter stream and acknowledged atomically. */
    private void deadLetter(StreamMessage<String, String, String> m, int delivery, RuntimeException e) {
        Map<String, String> dead = new LinkedHashMap<>(m.payload() == null ? Map.of() : m.payload());
        dead.put("dlq_original_id", m.id());
        dead.put("dlq_stream", config.stream());
        dead.put("dlq_group", config.group());
        dead.put("dlq_attempts", Integer.toString(delivery));
        dead.put("dlq_error", e.getClass().getName()); // the class only: messages may quote personal data
        dead.put("dlq_at", Instant.now().toString());
        redis.withTransaction(tx -> {
            tx.stream(String.class).xadd(config.deadLetterStream(), dead);
            tx.stream(String.class).xack(config.stream(), config.group(), m.id());
        });
        deadLettered.increment();
        LOG.warnf("user-events entry %s failed %d time(s) (%s); moved to %s and acknowledged", m.id(), delivery,
                e.getClass().getName(), config.deadLetterStream());
    }

    private static UUID parse(String raw) {
        try {
            return raw == null ? null : UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

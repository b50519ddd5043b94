package io.chatplatform.session;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Consumes {@code user.deleted} from the Redis stream {@code platform:user-events} in the consumer
 * group {@code session-service}: at least once, acknowledged only after the delete has committed.
 * Each pass first re-reads this consumer's own pending entries (id 0: delivered before a crash or
 * restart, never acknowledged) before new ones; entries left pending by a vanished replica are
 * claimed with XAUTOCLAIM after {@code sessions.events.claim-idle}.
 */
@ApplicationScoped
public class UserEventsConsumer {

    private static final Logger LOG = Logger.getLogger(UserEventsConsumer.class);
    private static final Duration BLOCK = Duration.ofMillis(500);
    private static final Duration CLAIM_EVERY = Duration.ofSeconds(30);
    private static final int BATCH = 50;

    private final StreamCommands<String, String, String> stream;
    private final SessionService sessions;
    private final SessionsConfig.Events config;

    private volatile boolean running;
    private Thread worker;

    public UserEventsConsumer(RedisDataSource redis, SessionService sessions, SessionsConfig config) {
        this.stream = redis.stream(String.class);
        this.sessions = sessions;
        this.config = config.events();
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        worker = Thread.ofPlatform().name("user-events-consumer").daemon().start(this::loop);
    }

    /** Stops reading; returns once the loop has finished the entry it was handling. */
    public synchronized void stop() {
        running = false;
        Thread t = worker;
        if (t != null) {
            try {
                t.join(BLOCK.toMillis() * 10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker = null;
    }

    public boolean isRunning() {
        return running;
    }

    private void loop() {
        boolean groupReady = false;
        long lastClaim = 0;
        while (running) {
            try {
                if (!groupReady) {
                    ensureGroup();
                    groupReady = true;
                }
                if (System.nanoTime() - lastClaim > CLAIM_EVERY.toNanos()) {
                    // claimed entries become this consumer's pending ones, handled just below
                    stream.xautoclaim(config.stream(), config.group(), config.consumer(), config.claimIdle(), "0-0", BATCH);
                    lastClaim = System.nanoTime();
                }
                List<StreamMessage<String, String, String>> batch = stream.xreadgroup(config.group(),
                        config.consumer(), config.stream(), "0", new XReadGroupArgs().count(BATCH));
                if (batch.isEmpty()) {
                    batch = stream.xreadgroup(config.group(), config.consumer(), config.stream(), ">",
                            new XReadGroupArgs().count(BATCH).block(BLOCK));
                }
                for (StreamMessage<String, String, String> m : batch) {
                    handle(m);
                }
            } catch (Exception e) {
                if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
                    groupReady = false; // the stream (and its group) was deleted: create them again
                }
                if (running) {
                    LOG.warnf("user-events consumer: %s; retrying", e.toString());
                    sleep(Duration.ofSeconds(1));
                }
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

    /** Applies one entry; throws (leaving it pending for a retry) only when the delete itself failed. */
    private void handle(StreamMessage<String, String, String> m) {
        Map<String, String> fields = m.payload();
        String type = fields == null ? null : fields.get("type");
        if ("user.deleted".equals(type)) {
            UUID userId = parse(fields.get("user_id"));
            if (userId != null) {
                long deleted = sessions.deleteAllOf(userId); // commits before the ack below
                LOG.infof("user.deleted %s: %d session(s) deleted (entry %s)", userId, deleted, m.id());
            } else {
                LOG.warnf("user.deleted entry %s without a valid user_id; skipped", m.id());
            }
        }
        // other types (and entries trimmed from the stream) concern others: acknowledge and move on
        stream.xack(config.stream(), config.group(), m.id());
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

package io.chatplatform.chat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.ClaimedMessages;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Consumes {@code platform:user-events} in consumer group {@code chat-service}: on {@code user.deleted} every
 * Redis key of the user is deleted ({@link UserData}; the messages themselves live in session-service).
 * <p>
 * At-least-once: an entry is acknowledged only after its cleanup succeeded. The consumer name is stable per
 * replica ({@code chat.user-events.consumer}, default the host name), so after a restart the replica first
 * re-processes its own pending entries; entries left pending by a replica that is gone are taken over with
 * XAUTOCLAIM once they have been idle for {@code chat.user-events.claim-idle}.
 */
@ApplicationScoped
public class UserEventsConsumer {

    private static final Logger LOG = Logger.getLogger(UserEventsConsumer.class);
    static final String STREAM = "platform:user-events";
    static final String GROUP = "chat-service";

    private final RedisDataSource redis;
    private final UserData userData;
    private final String consumer;
    private final Duration claimIdle;
    private volatile boolean running = true;
    private Thread thread;

    public UserEventsConsumer(RedisDataSource redis, UserData userData, ChatConfig config) {
        this.redis = redis;
        this.userData = userData;
        this.consumer = config.userEvents().consumer();
        this.claimIdle = config.userEvents().claimIdle();
    }

    void onStart(@Observes StartupEvent ev) {
        thread = Thread.ofVirtual().name("user-events").start(this::loop);
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void loop() {
        StreamCommands<String, String, String> streams = redis.stream(String.class);
        boolean groupReady = false;
        boolean ownPending = true; // after start and after any failure: our unacknowledged entries first
        while (running) {
            try {
                if (!groupReady) {
                    try {
                        redis.execute("XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM");
                    } catch (RuntimeException e) {
                        if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                            throw e;
                        }
                    }
                    groupReady = true;
                }
                if (ownPending) {
                    List<StreamMessage<String, String, String>> mine = streams.xreadgroup(GROUP, consumer, STREAM, "0",
                            new XReadGroupArgs().count(20));
                    handle(streams, mine);
                    ownPending = !mine.isEmpty();
                    continue;
                }
                String start = "0-0";
                do {
                    ClaimedMessages<String, String, String> claimed = streams.xautoclaim(STREAM, GROUP, consumer, claimIdle, start, 20);
                    handle(streams, claimed.getMessages());
                    start = claimed.getId();
                } while (start != null && !"0-0".equals(start) && running);
                handle(streams, streams.xreadgroup(GROUP, consumer, STREAM, ">",
                        new XReadGroupArgs().count(20).block(Duration.ofSeconds(2))));
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                groupReady = false;
                ownPending = true;
                LOG.warnf("user-events consumer: %s; retrying", e.getClass().getSimpleName());
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Cleans up, then acknowledges; a failure leaves the entry pending for the next attempt. */
    private void handle(StreamCommands<String, String, String> streams, List<StreamMessage<String, String, String>> batch) {
        for (StreamMessage<String, String, String> m : batch) {
            Map<String, String> p = m.payload();
            if (p != null && "user.deleted".equals(p.get("type")) && p.get("user_id") != null) {
                int n = userData.deleteAll(p.get("user_id"));
                LOG.infof("deleted %d Redis keys of a deleted user (event %s)", n, m.id());
            }
            streams.xack(STREAM, GROUP, m.id());
        }
    }
}

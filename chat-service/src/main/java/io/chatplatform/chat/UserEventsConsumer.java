package io.chatplatform.chat;

import io.chatplatform.chat.tools.FactStore;
import io.quarkus.redis.datasource.RedisDataSource;
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
import java.util.UUID;

/**
 * Consumes {@code platform:user-events} in consumer group {@code chat-service}: on {@code user.deleted} the
 * user's remembered facts are deleted (the messages themselves live in session-service).
 */
@ApplicationScoped
public class UserEventsConsumer {

    private static final Logger LOG = Logger.getLogger(UserEventsConsumer.class);
    static final String STREAM = "platform:user-events";
    static final String GROUP = "chat-service";

    private final RedisDataSource redis;
    private final FactStore facts;
    private final String consumer = "chat-" + UUID.randomUUID();
    private volatile boolean running = true;
    private Thread thread;

    public UserEventsConsumer(RedisDataSource redis, FactStore facts) {
        this.redis = redis;
        this.facts = facts;
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
                List<StreamMessage<String, String, String>> batch = streams.xreadgroup(GROUP, consumer, STREAM, ">",
                        new XReadGroupArgs().count(20).block(Duration.ofSeconds(2)));
                for (StreamMessage<String, String, String> m : batch) {
                    if ("user.deleted".equals(m.payload().get("type")) && m.payload().get("user_id") != null) {
                        facts.deleteAll(m.payload().get("user_id"));
                        LOG.infof("deleted remembered facts of a deleted user (event %s)", m.id());
                    }
                    streams.xack(STREAM, GROUP, m.id());
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                groupReady = false;
                LOG.warnf("user-events consumer: %s; retrying", e.getClass().getSimpleName());
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}

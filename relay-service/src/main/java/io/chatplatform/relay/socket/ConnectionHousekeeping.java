package io.chatplatform.relay.socket;

import io.chatplatform.relay.RelayConfig;
import io.chatplatform.relay.fanout.EventCodec;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/** Idle timeout for dead peers, and the graceful drain on shutdown. */
@ApplicationScoped
public class ConnectionHousekeeping {

    private static final Logger LOG = Logger.getLogger(ConnectionHousekeeping.class);

    private final ConnectionRegistry registry;
    private final RelayConfig config;
    private final EventCodec codec;
    private final AtomicBoolean drained = new AtomicBoolean();

    public ConnectionHousekeeping(ConnectionRegistry registry, RelayConfig config, EventCodec codec) {
        this.registry = registry;
        this.config = config;
        this.codec = codec;
    }

    @Scheduled(every = "${relay.idle-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeIdle() {
        long limit = config.idleTimeout().toNanos();
        for (ClientConnection c : registry.all()) {
            if (c.idleNanos() > limit) {
                c.close(RelayCloseCodes.GOING_AWAY, "idle_timeout", "idle_timeout");
            }
        }
    }

    /**
     * Rolling update: every client is told to reconnect after a jittered delay (so they do not all land on the
     * remaining replicas at once), then the connections are closed with 1012. Runs at the start of the shutdown
     * delay (before the HTTP server waits for open requests), or at ShutdownEvent when no delay is configured.
     */
    void drainEarly(@Observes ShutdownDelayInitiatedEvent ev) {
        drain();
    }

    void drainLate(@Observes ShutdownEvent ev) {
        drain();
    }

    /** True from the start of the drain: new upgrades are refused (503) so clients go to another replica. */
    public boolean draining() {
        return drained.get();
    }

    public void drain() {
        if (!drained.compareAndSet(false, true)) {
            return;
        }
        int n = registry.size();
        if (n == 0) {
            return;
        }
        LOG.infof("draining %d WebSocket connections", n);
        int min = config.drain().minDelayMs();
        int max = Math.max(min + 1, config.drain().maxDelayMs());
        for (ClientConnection c : registry.all()) {
            c.sendControl(codec.frame("reconnect", "delay_ms", ThreadLocalRandom.current().nextInt(min, max),
                    "reason", "shutdown"));
        }
        try {
            Thread.sleep(config.drain().grace().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ClientConnection c : registry.all()) {
            c.close(RelayCloseCodes.SERVICE_RESTART, "server_restart", "drain");
        }
        try {
            Thread.sleep(200); // let the close frames go out before the HTTP server stops
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

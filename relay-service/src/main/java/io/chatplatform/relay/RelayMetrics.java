package io.chatplatform.relay;

import io.chatplatform.relay.socket.ConnectionRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The relay's Prometheus metrics (names fixed by DESIGN.md). */
// created at start-up, not on first use: the series exist (at zero) before the first request
@Startup
// no client proxy: called for every event on the event loops
@Singleton
public class RelayMetrics {

    private final MeterRegistry registry;
    private final Counter delivered;
    private final Timer lag;

    public RelayMetrics(MeterRegistry registry, ConnectionRegistry connections) {
        this.registry = registry;
        Gauge.builder("relay_connections", connections, ConnectionRegistry::size).strongReference(true)
                .description("Open WebSocket connections on this replica").register(registry);
        this.delivered = Counter.builder("relay_events_delivered").description("Events written to browser connections")
                .register(registry);
        this.lag = Timer.builder("relay_delivery_lag").description("Event ts (chat-service) to send by the relay")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    /**
     * An event was written to {@code clients} connections: the counter counts every write, the lag histogram one
     * sample per event and event loop (its {@code ts} to the moment its frames were handed to the sockets), not one
     * per client.
     */
    public void delivered(int clients, long tsMillis) {
        if (clients <= 0) {
            return;
        }
        delivered.increment(clients);
        if (tsMillis > 0) {
            lag.record(Math.max(0, System.currentTimeMillis() - tsMillis), TimeUnit.MILLISECONDS);
        }
    }

    public void rejected(String reason) {
        registry.counter("relay_upgrades_rejected", "reason", reason).increment();
    }

    public void closed(String reason) {
        registry.counter("relay_connections_closed", "reason", reason).increment();
    }
}

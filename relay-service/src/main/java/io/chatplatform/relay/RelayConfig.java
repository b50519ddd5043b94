package io.chatplatform.relay;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** All relay tunables in one place (prefix {@code relay}). */
@ConfigMapping(prefix = "relay")
public interface RelayConfig {

    /** Origins allowed to open a WebSocket (CORS_ORIGINS, comma separated). */
    List<String> allowedOrigins();

    /**
     * How long a positive ownership answer from session-service is reused (the expire-after-write of the
     * {@code relay-ownership} cache, see application.properties).
     */
    @WithDefault("30s")
    Duration ownershipCacheTtl();

    /** Largest inbound text frame accepted; larger ones close the connection with 1009. */
    @WithDefault("16384")
    int maxInboundBytes();

    /** Inbound frames allowed per connection per {@link #rateWindow()}; more closes with 1008. */
    @WithDefault("40")
    int maxInboundFrames();

    @WithDefault("10s")
    Duration rateWindow();

    /** Bytes queued for a connection but not yet written; beyond this the client is too slow and is closed (1013). */
    @WithDefault("1048576")
    long maxPendingBytes();

    /** A connection with no inbound traffic (frames or pongs to our pings) for this long is closed. */
    @WithDefault("90s")
    Duration idleTimeout();

    /** How often connections are checked against {@link #idleTimeout()}. */
    @WithDefault("10s")
    Duration idleCheckInterval();

    /** Close this long before the access token expires so the UI can refresh first (close code 4001). */
    @WithDefault("1s")
    Duration tokenExpiryMargin();

    /** Most stream entries replayed on resume (the stream is capped at ~1000 by chat-service). */
    @WithDefault("2000")
    int maxReplay();

    /**
     * A turn whose newest event is older than this is not replayed to a new client as in flight: its chat-service
     * died mid-answer (the session lock expires after 5 min), and the history holds what was stored of it.
     */
    @WithDefault("5m")
    Duration inFlightIdle();

    /**
     * Stream reads in flight at once when every session's gap is filled after a lost subscription: thousands
     * of sessions at once would exhaust the Redis pool (and refuse most reads).
     */
    @WithDefault("4")
    int gapFillConcurrency();

    /**
     * WebSockets one user may hold open on this replica (tabs x sessions); an upgrade beyond it answers 429.
     * Per replica, so the platform-wide bound is this times the relay replicas.
     */
    @WithDefault("20")
    int maxConnectionsPerUser();

    /**
     * WebSockets this replica holds at most; an upgrade beyond it answers 503 with Retry-After, so the client's
     * backoff lands it on another replica instead of this one collecting garbage until it drops events. Sized to
     * the heap: an open socket keeps about 24 KiB live (class histogram at 5,000 sockets under bench/relay-fanout's
     * overload), so 5,000 fit the relay's 256 MiB heap with room for queued frames (infra/k8s/README.md, "JVM
     * flags"). Raise both together.
     */
    @WithDefault("5000")
    int maxConnections();

    /**
     * Typing is published at most once per this interval per session and user on this replica; the latest state
     * within it goes out when it ends. Every typing event reaches every socket of the session, so unthrottled it
     * would cost N^2 frames for N open tabs.
     */
    @WithDefault("2s")
    Duration typingInterval();

    Drain drain();

    interface Drain {
        /** Upper bound of the jittered reconnect delay sent to clients on shutdown. */
        @WithDefault("5000")
        int maxDelayMs();

        @WithDefault("250")
        int minDelayMs();

        /** How long to wait after the reconnect frames before closing. */
        @WithDefault("1s")
        Duration grace();
    }
}

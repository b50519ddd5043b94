package io.chatplatform.llmstub;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** Defaults of the stand-in; everything here can be overridden at runtime (admin endpoint, headers, markers). */
@ConfigMapping(prefix = "llmstub")
public interface LlmStubConfig {

    /** Model ids announced by GET /v1/models in addition to "stub-model". */
    @WithDefault("stub-model")
    List<String> models();

    /** Delay before the first token (and, for streams, before the response headers). */
    @WithDefault("0")
    long firstTokenDelayMs();

    /** Delay between two tokens. */
    @WithDefault("0")
    long tokenDelayMs();

    /** A hung request ends by itself (connection closed) after this long. */
    @WithDefault("5M")
    Duration hangMax();

    /** Retry-After seconds sent with injected 429/503 faults. */
    @WithDefault("1")
    int retryAfterSeconds();

    /** Number of deltas a "drop" fault streams before closing the connection. */
    @WithDefault("3")
    int dropAfterTokens();

    /** How long a "times=N" marker counter is remembered after its last request. */
    @WithDefault("2M")
    Duration markerCounterTtl();
}

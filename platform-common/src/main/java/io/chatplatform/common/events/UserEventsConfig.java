package io.chatplatform.common.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How a service consumes {@code platform:user-events} (prefix {@code platform.user-events}). */
@ConfigMapping(prefix = "platform.user-events")
public interface UserEventsConfig {

    @WithDefault("platform:user-events")
    String stream();

    /** Consumer group: one per consuming service, so each applies every event once. */
    @WithDefault("${quarkus.application.name}")
    String group();

    /** Consumer name in the group: stable per replica, so its pending entries are found again after a restart. */
    @WithDefault("${HOSTNAME:${quarkus.application.name}-local}")
    String consumer();

    /** Pending entries of other consumers idle this long are claimed (a replica died). */
    @WithDefault("PT5M")
    Duration claimIdle();

    /** A failed entry is retried once it has been pending this long. */
    @WithDefault("PT30S")
    Duration retryDelay();

    /** Deliveries of an entry (XPENDING's count) before a failing one goes to the dead-letter stream. */
    @WithDefault("60")
    int maxAttempts();

    /** Where entries that kept failing are kept (fields as sent, plus {@code dlq_*}), acknowledged. */
    @WithDefault("platform:user-events:dead")
    String deadLetterStream();
}

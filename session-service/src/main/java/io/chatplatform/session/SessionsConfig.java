package io.chatplatform.session;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything session-service reads from configuration under {@code sessions.*}. */
@ConfigMapping(prefix = "sessions")
public interface SessionsConfig {

    /** Largest message content accepted, in UTF-8 bytes; beyond it an append answers 413. */
    @WithDefault("32768")
    int maxContentBytes();

    /** Messages read per transaction while an export streams. */
    @WithDefault("500")
    int exportPageSize();

    Retention retention();

    Events events();

    interface Retention {
        /** Sessions idle longer than this many days are deleted; 0 turns retention off. */
        @WithDefault("0")
        int days();

        /** How often the job runs ({@code off} disables the schedule). */
        @WithDefault("1h")
        String every();

        /**
         * Rows one transaction of the job touches at most (sessions marked, messages deleted, emptied
         * sessions deleted), so no transaction is long, however long the sessions.
         */
        @WithDefault("500")
        int batchSize();
    }

    interface Events {
        @WithDefault("platform:user-events")
        String stream();

        /** Consumer group, named after the consuming service. */
        @WithDefault("session-service")
        String group();

        /** Consumer name of this instance within the group. */
        @WithDefault("session-service-local")
        String consumer();

        /** Pending entries of other consumers idle this long are claimed (a replica died). */
        @WithDefault("PT5M")
        java.time.Duration claimIdle();

        /** A failed entry is retried once it has been pending this long. */
        @WithDefault("PT30S")
        java.time.Duration retryDelay();

        /** Deliveries of an entry (XPENDING's count) before a failing one goes to the dead-letter stream. */
        @WithDefault("60")
        int maxAttempts();

        /** Where entries that kept failing are kept (fields as sent, plus {@code dlq_*}), acknowledged. */
        @WithDefault("platform:user-events:dead")
        String deadLetterStream();
    }
}

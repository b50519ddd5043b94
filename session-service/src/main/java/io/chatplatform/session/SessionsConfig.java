package io.chatplatform.session;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything session-service reads from configuration under {@code sessions.*}. */
@ConfigMapping(prefix = "sessions")
public interface SessionsConfig {

    /** Largest message content accepted, in UTF-8 bytes; beyond it an append answers 413. */
    @WithDefault("32768")
    int maxContentBytes();

    /**
     * Largest answer content chat-service may store (UTF-8 bytes, {@code PUT .../answers/{id}});
     * beyond it 413. Well above what chat-service's {@code max_tokens} can produce, so no billed
     * answer is refused for its size.
     */
    @WithDefault("262144")
    int answerMaxBytes();

    /**
     * HMAC-SHA256 key of the answers' write grants: base64 of at least 32 bytes ({@code SESSION_GRANT_KEY}).
     * Every replica must have the same key, or a grant issued by one is refused by another.
     */
    String grantKey();

    /** How long a write grant is valid: longer than chat-service's longest turn. */
    @WithDefault("PT30M")
    java.time.Duration grantTtl();

    /** Messages read per transaction while an export streams. */
    @WithDefault("500")
    int exportPageSize();

    Retention retention();

    Limits limits();

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

    /** Per-user rate limits of the browser-facing writes and searches (turns are chat-service's to limit). */
    interface Limits {
        /** Messages a user may append per minute through {@code POST /api/sessions/{id}/messages}. */
        @WithDefault("120")
        int appendsPerMinute();

        /** Searches a user may run per minute: each is a full-text query over all of their history. */
        @WithDefault("60")
        int searchesPerMinute();
    }
}

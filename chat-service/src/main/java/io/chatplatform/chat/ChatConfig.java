package io.chatplatform.chat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** All chat-service settings (prefix {@code chat}). */
@ConfigMapping(prefix = "chat")
public interface ChatConfig {

    /** Persona and safety rules; never put a secret here, the model may repeat it. */
    String systemPrompt();

    /** Model name reported in responses and metadata. */
    @WithDefault("stub-model")
    String model();

    @WithDefault("8000")
    int maxMessageChars();

    /** Token budget (estimated) for the remembered facts and the recent history put into the context. */
    @WithDefault("3000")
    int historyTokenBudget();

    /** How many history messages are read at most from session-service. */
    @WithDefault("500")
    int historyMaxMessages();

    @WithDefault("5")
    int maxToolRounds();

    /** Characters of one tool result handed back to the model. */
    @WithDefault("2000")
    int toolResultMaxChars();

    /** No first token within this time counts as a (retryable) model timeout. */
    @WithDefault("30s")
    Duration firstTokenTimeout();

    /** Max silence between two stream signals once streaming. */
    @WithDefault("30s")
    Duration idleTimeout();

    /** Deltas are coalesced over this window before they become one event. */
    @WithDefault("30ms")
    Duration deltaCoalesce();

    /** Expiry of the per-session turn lock (a crashed replica frees the session after this). */
    @WithDefault("5m")
    Duration lockTtl();

    /** Upper bound on how long the synchronous route waits for a turn. */
    @WithDefault("5m")
    Duration syncTimeout();

    @WithDefault("20")
    int turnsPerMinute();

    /** Daily token budget per user (prompt + completion, UTC day). */
    @WithDefault("200000")
    long dailyTokenQuota();

    @WithDefault("50")
    int maxFacts();

    Knowledge knowledge();

    UserEvents userEvents();

    interface UserEvents {
        /** Consumer name in the group: stable per replica, so its pending entries are found again after a restart. */
        @WithDefault("${HOSTNAME:chat-service}")
        String consumer();

        /** Entries pending this long at another consumer (a replica that is gone) are claimed by this one. */
        @WithDefault("5m")
        Duration claimIdle();
    }

    interface Knowledge {
        /** Folder of Markdown files; when absent or missing, the samples bundled in the jar are used. */
        Optional<String> path();

        @WithDefault("3")
        int maxResults();
    }
}

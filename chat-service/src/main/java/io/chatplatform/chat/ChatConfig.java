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

    /** The OpenAI-compatible model endpoint. */
    Model model();

    /** Turns this replica runs at once at most: the model and session-service HTTP pools are sized from it. */
    @WithDefault("200")
    int maxConcurrentTurns();

    Answer answer();

    @WithDefault("8000")
    int maxMessageChars();

    /** Token budget (estimated) for the remembered facts and the recent history put into the context. */
    @WithDefault("3000")
    int historyTokenBudget();

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

    /** How long the end of a turn waits for its queued events to reach Redis (they are best-effort). */
    @WithDefault("2s")
    Duration eventsDrain();

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

    interface Model {
        String baseUrl();

        String apiKey();

        /** Model name sent to the endpoint and reported in responses and metadata. */
        @WithDefault("stub-model")
        String name();

        /** Connect and read timeout of the model's HTTP client. */
        @WithDefault("60s")
        Duration timeout();

        /**
         * {@code max_tokens} of every model call: bounds an answer so it fits session-service's stored limit
         * ({@code answer.max-bytes}); 16,384 tokens at 4 bytes a token on average is 64 KiB, four times under 256 KiB.
         */
        @WithDefault("16384")
        int maxTokens();
    }

    interface Answer {
        /** session-service's content limit (UTF-8 bytes); a longer answer is stored cut, marked truncated. */
        @WithDefault("262144")
        int maxBytes();

        /** While streaming, the answer so far is written to session-service this often... */
        @WithDefault("3s")
        Duration checkpointInterval();

        /** ...or after this many new characters, whichever comes first. */
        @WithDefault("16384")
        int checkpointChars();
    }

    interface Knowledge {
        /** Folder of Markdown files; when absent or missing, the samples bundled in the jar are used. */
        Optional<String> path();

        @WithDefault("3")
        int maxResults();
    }
}

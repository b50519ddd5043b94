package io.chatplatform.session.search;

import java.time.Instant;
import java.util.UUID;

/** {@code snippet} is HTML-escaped text with matches wrapped in {@code <mark>}. */
public record SearchHit(UUID messageId, UUID sessionId, String sessionTitle, long seq, String role,
                        String snippet, double rank, Instant createdAt) {
}

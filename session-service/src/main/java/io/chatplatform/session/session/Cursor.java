package io.chatplatform.session.session;

import io.chatplatform.common.problem.ProblemException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Opaque keyset cursor of the session list: base64url("{epoch micros}:{id}") of the last row served. */
public record Cursor(Instant lastActivity, UUID id) {

    static Cursor of(ChatSession s) {
        return new Cursor(s.lastActivityAt, s.id);
    }

    public String encode() {
        long micros = lastActivity.getEpochSecond() * 1_000_000L + lastActivity.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    public static Cursor decode(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.US_ASCII);
            int colon = s.indexOf(':');
            long micros = Long.parseLong(s.substring(0, colon));
            UUID id = UUID.fromString(s.substring(colon + 1));
            return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L), id);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("The cursor is not valid.");
        }
    }
}

package io.chatplatform.auth.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.OffsetDateTime;
import java.util.UUID;

/** Request and response bodies of /api/auth (snake_case on the wire). */
public final class Dtos {

    private Dtos() {
    }

    public record MagicLinkRequest(@NotNull @Size(max = 320) String email) {
    }

    public record MagicLinkAccepted(String status, String detail) {
        static final MagicLinkAccepted INSTANCE = new MagicLinkAccepted("accepted",
                "If this address can receive email, a sign-in link and code are on their way.");
    }

    /** Either {@code token} (from the link) or {@code code} (from the email, same browser only). */
    public record VerifyRequest(@Size(max = 128) String token, @Size(max = 16) String code, Boolean confirm) {
    }

    public record UserView(UUID id, String email) {
    }

    public record TokenResponse(String accessToken, String tokenType, long expiresIn, UserView user) {
    }

    public record MeView(UUID id, String email, OffsetDateTime createdAt) {
    }

    public record SessionView(UUID id, OffsetDateTime createdAt, OffsetDateTime lastUsedAt, OffsetDateTime expiresAt,
                              String userAgent, boolean current) {
    }
}

package io.chatplatform.auth.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Request and response bodies of /api/auth (snake_case on the wire). Every record is registered for
 * reflection: several leave a resource inside a {@code Response}, whose entity type Quarkus cannot see
 * at build time, and Jackson needs their accessors in a native image.
 */
public final class Dtos {

    private Dtos() {
    }

    @RegisterForReflection
    public record MagicLinkRequest(@NotNull @Size(max = 320) String email) {
    }

    @RegisterForReflection
    public record MagicLinkAccepted(String status, String detail) {
        static final MagicLinkAccepted INSTANCE = new MagicLinkAccepted("accepted",
                "If this address can receive email, a sign-in link and code are on their way.");
    }

    /** Either {@code token} (from the link) or {@code code} (from the email, same browser only). */
    @RegisterForReflection
    public record VerifyRequest(@Size(max = 128) String token, @Size(max = 16) String code, Boolean confirm) {
    }

    @RegisterForReflection
    public record UserView(UUID id, String email) {
    }

    @RegisterForReflection
    public record TokenResponse(String accessToken, String tokenType, long expiresIn, UserView user) {
    }

    @RegisterForReflection
    public record MeView(UUID id, String email, OffsetDateTime createdAt) {
    }

    @RegisterForReflection
    public record SessionView(UUID id, OffsetDateTime createdAt, OffsetDateTime lastUsedAt, OffsetDateTime expiresAt,
                              String userAgent, boolean current) {
    }
}

package io.chatplatform.auth.refresh;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A refresh token, known only by its SHA-256 hash. */
@Entity
@Table(name = "refresh_tokens")
public class RefreshToken {

    @Id
    @Column(name = "token_hash")
    public byte[] tokenHash;

    @Column(name = "family_id", nullable = false)
    public UUID familyId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** Set when the token was exchanged for a successor; presenting it again is reuse. */
    @Column(name = "rotated_at")
    public OffsetDateTime rotatedAt;
}

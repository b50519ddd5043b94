package io.chatplatform.auth.refresh;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One login on one device: every refresh token rotated from that login belongs to it. */
@Entity
@Table(name = "refresh_families")
public class RefreshFamily {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "last_used_at", nullable = false)
    public OffsetDateTime lastUsedAt;

    /** Absolute end of the family, however often it is refreshed. */
    @Column(name = "expires_at", nullable = false)
    public OffsetDateTime expiresAt;

    @Column(name = "user_agent", length = 512)
    public String userAgent;
}

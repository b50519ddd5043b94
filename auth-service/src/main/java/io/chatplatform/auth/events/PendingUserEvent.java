package io.chatplatform.auth.events;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An event for {@code platform:user-events} that is committed but not yet known to be on the stream. */
@Entity
@Table(name = "user_events_outbox")
public class PendingUserEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 64)
    public String type;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;
}

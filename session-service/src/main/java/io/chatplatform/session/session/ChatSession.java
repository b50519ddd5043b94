package io.chatplatform.session.session;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "sessions")
public class ChatSession {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false, updatable = false)
    public UUID userId;

    @Column(length = 200)
    public String title;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "last_message_at")
    public Instant lastMessageAt;

    @Column(name = "last_activity_at", nullable = false)
    public Instant lastActivityAt;

    /** Number of messages, and the last assigned {@code seq}. */
    @Column(name = "message_count", nullable = false)
    public long messageCount;

    /** Being deleted by the retention job: gone for its owner, no more appends. */
    @Column(nullable = false)
    public boolean retiring;
}

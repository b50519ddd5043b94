package io.chatplatform.session;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "messages")
public class ChatMessage {

    @Id
    public UUID id;

    @Column(name = "session_id", nullable = false, updatable = false)
    public UUID sessionId;

    @Column(nullable = false, updatable = false)
    public long seq;

    @Column(nullable = false, length = 16)
    public String role;

    @Column(nullable = false, columnDefinition = "text")
    public String content;

    /** Opaque JSON written by chat-service (model, usage, latency, tool calls...), kept verbatim. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String metadata;

    @Column(name = "client_message_id", length = 128, updatable = false)
    public String clientMessageId;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
}

package io.chatplatform.session;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<ChatMessage, UUID> {

    public Optional<ChatMessage> findByClientId(UUID sessionId, String clientMessageId) {
        return find("sessionId = ?1 and clientMessageId = ?2", sessionId, clientMessageId).firstResultOptional();
    }

    /** Keyset page by seq (uses the (session_id, seq) unique index). */
    public List<ChatMessage> after(UUID sessionId, long afterSeq, int limit) {
        // read-only: no snapshots to keep and no dirty check at commit for what is only serialised
        return find("sessionId = ?1 and seq > ?2 order by seq", sessionId, afterSeq)
                .withHint("org.hibernate.readOnly", true).page(0, limit).list();
    }
}

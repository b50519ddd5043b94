package io.chatplatform.session.session;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class SessionRepository implements PanacheRepositoryBase<ChatSession, UUID> {

    /**
     * The session if it exists and belongs to {@code userId}; someone else's is as absent as a missing
     * one, and so is one the retention job is deleting.
     */
    public Optional<ChatSession> findOwned(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2 and retiring = false", id, userId).firstResultOptional();
    }

    /** One keyset page, newest activity first; {@code after} null for the first page. */
    public List<ChatSession> page(UUID userId, Cursor after, int limit) {
        if (after == null) {
            return find("userId = ?1 and retiring = false order by lastActivityAt desc, id desc", userId)
                    .page(0, limit).list();
        }
        // "lastActivityAt <= :t" is implied by the rest; spelled out, it bounds the index range scan
        return find("userId = :user and lastActivityAt <= :t and (lastActivityAt < :t or id < :id)"
                        + " and retiring = false order by lastActivityAt desc, id desc",
                Parameters.with("user", userId).and("t", after.lastActivity()).and("id", after.id()))
                .page(0, limit).list();
    }

    public long deleteOwned(UUID userId, UUID id) {
        return delete("id = ?1 and userId = ?2 and retiring = false", id, userId);
    }

    public long deleteAllOf(UUID userId) {
        return delete("userId", userId);
    }
}

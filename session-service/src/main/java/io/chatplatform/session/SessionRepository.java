package io.chatplatform.session;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class SessionRepository implements PanacheRepositoryBase<ChatSession, UUID> {

    /** The session if it exists and belongs to {@code userId}; someone else's is as absent as a missing one. */
    public Optional<ChatSession> findOwned(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    /** Same, row-locked until the transaction ends: serialises appends to one session across replicas. */
    public Optional<ChatSession> lockOwned(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2", id, userId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    /** One keyset page, newest activity first; {@code after} null for the first page. */
    public List<ChatSession> page(UUID userId, Cursor after, int limit) {
        if (after == null) {
            return find("userId = ?1 order by lastActivityAt desc, id desc", userId).page(0, limit).list();
        }
        // "lastActivityAt <= :t" is implied by the rest; spelled out, it bounds the index range scan
        return find("userId = :user and lastActivityAt <= :t and (lastActivityAt < :t or id < :id)"
                        + " order by lastActivityAt desc, id desc",
                Parameters.with("user", userId).and("t", after.lastActivity()).and("id", after.id()))
                .page(0, limit).list();
    }

    public long deleteOwned(UUID userId, UUID id) {
        return delete("id = ?1 and userId = ?2", id, userId);
    }

    public long deleteAllOf(UUID userId) {
        return delete("userId", userId);
    }

    /** One retention batch: skips rows other transactions hold, so it never waits on a live session. */
    public int deleteIdleBatch(Instant cutoff, int batchSize) {
        return getEntityManager().createNativeQuery("""
                        DELETE FROM sessions WHERE id IN (
                            SELECT id FROM sessions WHERE last_activity_at < ?1
                            ORDER BY last_activity_at LIMIT ?2 FOR UPDATE SKIP LOCKED)
                        """)
                .setParameter(1, cutoff)
                .setParameter(2, batchSize)
                .executeUpdate();
    }
}

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

    /**
     * The session if it exists and belongs to {@code userId}; someone else's is as absent as a missing
     * one, and so is one the retention job is deleting.
     */
    public Optional<ChatSession> findOwned(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2 and retiring = false", id, userId).firstResultOptional();
    }

    /**
     * Same, row-locked until the transaction ends: serialises appends to one session across replicas.
     * Waiting on the retention job's mark re-checks {@code retiring}, so no append lands in a retiring session.
     */
    public Optional<ChatSession> lockOwned(UUID userId, UUID id) {
        return find("id = ?1 and userId = ?2 and retiring = false", id, userId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
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

    /*
     * Retention, each step a bounded batch in its own short transaction (the caller's). Rows other
     * transactions hold are skipped (SKIP LOCKED): the job never waits on, or blocks, a user, and
     * replicas running it at once share the work.
     */

    /** Marks up to {@code limit} sessions idle since before {@code cutoff} as retiring; returns how many. */
    public int markIdle(Instant cutoff, int limit) {
        return getEntityManager().createNativeQuery("""
                        UPDATE sessions SET retiring = true WHERE id IN (
                            SELECT id FROM sessions WHERE last_activity_at < ?1 AND NOT retiring
                            ORDER BY last_activity_at LIMIT ?2 FOR UPDATE SKIP LOCKED)
                        """)
                .setParameter(1, cutoff)
                .setParameter(2, limit)
                .executeUpdate();
    }

    /** Deletes up to {@code limit} messages of retiring sessions; returns how many. */
    public int deleteRetiringMessages(int limit) {
        return getEntityManager().createNativeQuery("""
                        DELETE FROM messages WHERE id IN (
                            SELECT m.id FROM sessions s JOIN messages m ON m.session_id = s.id
                            WHERE s.retiring LIMIT ?1 FOR UPDATE OF m SKIP LOCKED)
                        """)
                .setParameter(1, limit)
                .executeUpdate();
    }

    /**
     * Deletes up to {@code limit} retiring sessions that have no message left (so the cascade has
     * nothing to do); returns how many.
     */
    public int deleteEmptyRetiring(int limit) {
        return getEntityManager().createNativeQuery("""
                        DELETE FROM sessions WHERE id IN (
                            SELECT s.id FROM sessions s WHERE s.retiring
                              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)
                            LIMIT ?1 FOR UPDATE SKIP LOCKED)
                        """)
                .setParameter(1, limit)
                .executeUpdate();
    }
}

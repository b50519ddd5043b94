package io.chatplatform.session.retention;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.time.Instant;

/**
 * The retention job's statements, each a bounded batch in its own short transaction (the caller's).
 * Rows other transactions hold are skipped (SKIP LOCKED): the job never waits on, or blocks, a user,
 * and replicas running it at once share the work.
 */
@ApplicationScoped
public class RetentionStore {

    private final EntityManager em;

    public RetentionStore(EntityManager em) {
        this.em = em;
    }

    /** Marks up to {@code limit} sessions idle since before {@code cutoff} as retiring; returns how many. */
    public int markIdle(Instant cutoff, int limit) {
        return em.createNativeQuery("""
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
        return em.createNativeQuery("""
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
        return em.createNativeQuery("""
                        DELETE FROM sessions WHERE id IN (
                            SELECT s.id FROM sessions s WHERE s.retiring
                              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)
                            LIMIT ?1 FOR UPDATE SKIP LOCKED)
                        """)
                .setParameter(1, limit)
                .executeUpdate();
    }
}

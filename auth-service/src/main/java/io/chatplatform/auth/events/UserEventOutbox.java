package io.chatplatform.auth.events;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class UserEventOutbox implements PanacheRepositoryBase<PendingUserEvent, Long> {

    /** Records an event inside the caller's transaction: it commits (or rolls back) with the change it announces. */
    public void add(String type, UUID userId) {
        PendingUserEvent event = new PendingUserEvent();
        event.type = type;
        event.userId = userId;
        event.occurredAt = OffsetDateTime.now(ZoneOffset.UTC);
        persist(event);
    }

    /**
     * The oldest pending events, locked for this transaction. SKIP LOCKED lets replicas (and the
     * after-commit attempt racing the schedule) drain disjoint rows instead of waiting or double-sending.
     */
    @SuppressWarnings("unchecked")
    public List<PendingUserEvent> lockOldest(int limit) {
        return getEntityManager().createNativeQuery(
                        "select * from user_events_outbox order by id limit ?1 for update skip locked",
                        PendingUserEvent.class)
                .setParameter(1, limit)
                .getResultList();
    }
}

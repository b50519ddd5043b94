package io.chatplatform.auth.refresh;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class RefreshRepository implements PanacheRepositoryBase<RefreshFamily, UUID> {

    /** Locks the token row: concurrent refreshes of one token are serialised here. */
    public Optional<RefreshToken> lockToken(byte[] hash) {
        return Optional.ofNullable(getEntityManager().find(RefreshToken.class, hash, LockModeType.PESSIMISTIC_WRITE));
    }

    public Optional<RefreshToken> findToken(byte[] hash) {
        return Optional.ofNullable(getEntityManager().find(RefreshToken.class, hash));
    }

    public void persistToken(RefreshToken token) {
        getEntityManager().persist(token);
    }

    public List<RefreshFamily> listForUser(UUID userId) {
        return list("userId = ?1 order by lastUsedAt desc", userId);
    }

    /** Tokens go with their family (ON DELETE CASCADE). */
    public boolean revoke(UUID familyId) {
        return getEntityManager().createQuery("delete from RefreshFamily f where f.id = ?1")
                .setParameter(1, familyId).executeUpdate() > 0;
    }

    public boolean revokeOwned(UUID familyId, UUID userId) {
        return getEntityManager().createQuery("delete from RefreshFamily f where f.id = ?1 and f.userId = ?2")
                .setParameter(1, familyId).setParameter(2, userId).executeUpdate() > 0;
    }

    public long deleteExpired(OffsetDateTime now, OffsetDateTime idleBefore) {
        return getEntityManager().createQuery(
                        "delete from RefreshFamily f where f.expiresAt < ?1 or f.lastUsedAt < ?2")
                .setParameter(1, now).setParameter(2, idleBefore).executeUpdate();
    }
}

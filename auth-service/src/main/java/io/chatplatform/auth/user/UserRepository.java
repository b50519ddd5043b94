package io.chatplatform.auth.user;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, UUID> {

    public Optional<User> findByEmail(String email) {
        return find("lower(email) = lower(?1)", email).firstResultOptional();
    }

    /**
     * Finds or creates the user of a verified address. Two first logins racing for one address meet
     * at the unique index; the insert is an upsert so neither fails.
     */
    public User loginByEmail(String email) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        getEntityManager().createNativeQuery("""
                        insert into users (id, email, created_at, last_login_at) values (?1, ?2, ?3, ?3)
                        on conflict ((lower(email))) do update set last_login_at = excluded.last_login_at""")
                .setParameter(1, UUID.randomUUID())
                .setParameter(2, email)
                .setParameter(3, now)
                .executeUpdate();
        return findByEmail(email).orElseThrow();
    }
}

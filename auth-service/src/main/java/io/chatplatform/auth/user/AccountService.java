package io.chatplatform.auth.user;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.XAddArgs;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Account deletion: the user row (refresh families cascade) and the platform-wide event. */
@ApplicationScoped
public class AccountService {

    public static final String USER_EVENTS = "platform:user-events";
    private static final Logger LOG = Logger.getLogger(AccountService.class);

    private final UserRepository users;
    private final RedisDataSource redis;

    public AccountService(UserRepository users, RedisDataSource redis) {
        this.users = users;
        this.redis = redis;
    }

    public Optional<User> find(UUID id) {
        return QuarkusTransaction.joiningExisting().call(() -> users.findByIdOptional(id));
    }

    /**
     * Deletes the user and their tokens, then appends {@code user.deleted} for session-service. The event
     * follows the commit: a consumer never deletes history of a user who still exists. Returns the
     * address the account had, or empty when there was none.
     */
    public Optional<String> delete(UUID id) {
        Optional<String> email = QuarkusTransaction.requiringNew().call(() -> {
            User user = users.findById(id);
            if (user == null) {
                return Optional.<String>empty();
            }
            users.delete(user);
            return Optional.of(user.email);
        });
        // also sent when the row was already gone: a retried DELETE re-announces, consumers are idempotent
        // bounded (MAXLEN ~): deletions are rare, so 100k entries are far more than any consumer lag
        redis.stream(String.class).xadd(USER_EVENTS, new XAddArgs().maxlen(100_000L).nearlyExactTrimming(),
                Map.of("type", "user.deleted", "user_id", id.toString(), "ts", Instant.now().toString()));
        LOG.infof("Deleted account %s", id);
        return email;
    }
}

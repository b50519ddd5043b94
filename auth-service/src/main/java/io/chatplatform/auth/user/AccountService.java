package io.chatplatform.auth.user;

import io.chatplatform.auth.events.UserEventOutbox;
import io.chatplatform.auth.events.UserEventPublisher;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.UUID;

/** Account deletion: the user row (refresh families cascade) and the platform-wide event. */
@ApplicationScoped
public class AccountService {

    public static final String USER_DELETED = "user.deleted";
    private static final Logger LOG = Logger.getLogger(AccountService.class);

    private final UserRepository users;
    private final UserEventOutbox outbox;
    private final UserEventPublisher publisher;

    public AccountService(UserRepository users, UserEventOutbox outbox, UserEventPublisher publisher) {
        this.users = users;
        this.outbox = outbox;
        this.publisher = publisher;
    }

    public Optional<User> find(UUID id) {
        return QuarkusTransaction.joiningExisting().call(() -> users.findByIdOptional(id));
    }

    /**
     * Deletes the user and their tokens and records {@code user.deleted} for session-service and chat-service
     * in the same transaction (outbox), then tries to publish it at once. The event follows the commit: a
     * consumer never deletes history of a user who still exists, and a Redis failure only delays it.
     * Returns the address the account had, or empty when there was none.
     */
    public Optional<String> delete(UUID id) {
        Optional<String> email = QuarkusTransaction.requiringNew().call(() -> {
            // also recorded when the row was already gone: a retried DELETE re-announces, consumers are idempotent
            outbox.add(USER_DELETED, id);
            User user = users.findById(id);
            if (user == null) {
                return Optional.<String>empty();
            }
            users.delete(user);
            return Optional.of(user.email);
        });
        LOG.infof("Deleted account %s", id);
        publisher.drain();
        return email;
    }
}

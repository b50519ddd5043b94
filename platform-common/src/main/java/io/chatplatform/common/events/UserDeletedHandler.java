package io.chatplatform.common.events;

import java.util.UUID;

/**
 * What a service does when an account is deleted. A service with such a bean consumes {@code platform:user-events}
 * ({@link UserEventsConsumer}); one without (auth-service, the producer) does not.
 */
public interface UserDeletedHandler {

    /**
     * Deletes everything the service holds of the user, idempotently: an entry may be delivered again. Returns a
     * short summary for the log (counts, no personal data). Throwing leaves the entry pending for a retry.
     */
    String userDeleted(UUID userId);
}

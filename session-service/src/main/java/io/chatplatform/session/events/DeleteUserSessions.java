package io.chatplatform.session.events;

import io.chatplatform.common.events.UserDeletedHandler;
import io.chatplatform.session.session.SessionService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** user.deleted (platform-common's consumer): every session of the user goes, messages with it, in one commit. */
@ApplicationScoped
public class DeleteUserSessions implements UserDeletedHandler {

    private final SessionService sessions;

    public DeleteUserSessions(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public String userDeleted(UUID userId) {
        return sessions.deleteAllOf(userId) + " session(s) deleted";
    }
}

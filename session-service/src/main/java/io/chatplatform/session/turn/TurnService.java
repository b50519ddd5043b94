package io.chatplatform.session.turn;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Db;
import io.chatplatform.session.SessionsConfig;
import io.chatplatform.session.message.Message;
import io.chatplatform.session.message.MessageReads;
import io.chatplatform.session.message.MessageService;
import io.chatplatform.session.message.MessageStore;
import io.chatplatform.session.message.MessageStore.Locked;
import io.chatplatform.session.message.MessageStore.NewMessage;
import io.chatplatform.session.session.SessionService;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Begins a turn in one local transaction of three round trips: the session's ownership and row lock with
 * what the append decides on, the user message stored idempotently on (session, client_message_id) with
 * the context tail within the token budget, the commit.
 * The user message remembers the answer id it was given, so a replay returns the first call's answer
 * id and grant whatever answer id it sends.
 */
@ApplicationScoped
public class TurnService {

    private final Db db;
    private final MessageStore store;
    private final WriteGrants grants;
    private final SessionsConfig config;

    public TurnService(Db db, MessageStore store, WriteGrants grants, SessionsConfig config) {
        this.db = db;
        this.store = store;
        this.grants = grants;
        this.config = config;
    }

    /** A begun turn, and whether this call stored its user message (201) or found it (200). */
    public record Begun(TurnStarted turn, boolean created) {
    }

    public Begun begin(UUID userId, UUID sessionId, BeginTurn body) {
        MessageService.checkSize(body.content(), config.maxContentBytes());
        try {
            return db.inTransaction(c -> {
                Locked locked = MessageStore.lock(c, userId, sessionId, body.clientMessageId(), body.parentId(),
                        body.answerId()).orElseThrow(SessionService::notFound);
                if (locked.existing() != null) {
                    return replay(c, userId, sessionId, locked, body);
                }
                if (locked.answerIdTaken()) {
                    throw answerIdTaken();
                }
                if (body.parentId() != null && !locked.parentInSession()) {
                    throw ProblemException.badRequest("Field 'parent_id' must name a message of this session.")
                            .extension("violations", List.of(Map.of("field", "parent_id",
                                    "message", "must be a message of this session")));
                }
                UUID parent = body.parentId() != null ? body.parentId() : locked.previousId();
                String title = SessionService.titleFrom(body.content());
                // the session title after this message, so chat-service can announce a first title (session.updated)
                MessageStore.InsertedWithContext stored = store.insertWithContext(c, sessionId, locked.messageCount(),
                        new NewMessage(UUID.randomUUID(), "user", body.content(), null, body.clientMessageId(), parent,
                                body.answerId(), null), title, body.contextBudgetTokens());
                Message user = stored.message().withSessionTitle(locked.title() != null ? locked.title() : title);
                return new Begun(new TurnStarted(user, body.answerId(), grant(sessionId, body.answerId(), userId, user),
                        stored.context(), null), true);
            });
        } catch (Db.DbException e) {
            if (Db.isUniqueViolation(e)) {
                throw answerIdTaken(); // another session's turn took the same answer id at the same moment
            }
            throw e;
        }
    }

    /** The same client_message_id again: the first call's user message, answer id and grant, and the answer so far. */
    private Begun replay(Connection c, UUID userId, UUID sessionId, Locked locked, BeginTurn body)
            throws SQLException {
        Message user = locked.existing().withSessionTitle(locked.title());
        if (!"user".equals(user.role())) {
            throw ProblemException.conflict("'client_message_id' names a message that is not a user message.");
        }
        UUID answerId = locked.existingAnswerId();
        if (answerId == null) {
            // appended before any turn began on it (an older chat-service, a browser append): it takes this answer id
            if (locked.answerIdTaken()) {
                throw answerIdTaken();
            }
            reserveAnswer(c, user.id(), body.answerId());
            answerId = body.answerId();
        }
        Message answer = MessageReads.byId(c, sessionId, answerId).orElse(null);
        List<Message> context = MessageReads.context(c, sessionId, user.seq(), body.contextBudgetTokens());
        return new Begun(new TurnStarted(user, answerId, grant(sessionId, answerId, userId, user), context, answer),
                false);
    }

    private static void reserveAnswer(Connection c, UUID userMessageId, UUID answerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET answer_id = ? WHERE id = ?")) {
            ps.setObject(1, answerId);
            ps.setObject(2, userMessageId);
            ps.executeUpdate();
        }
    }

    /**
     * The grant for this turn's answer. Its expiry follows from the user message's time, so a replay
     * gets the first call's grant again; once that has expired, a fresh one (an expired grant could
     * not store the answer the replay is for).
     */
    private String grant(UUID sessionId, UUID answerId, UUID userId, Message user) {
        Instant expiry = grants.expiryFor(Instant.ofEpochSecond(user.createdAt().getEpochSecond()));
        if (!expiry.isAfter(Instant.now())) {
            expiry = grants.expiryFor(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
        }
        return grants.issue(sessionId, answerId, userId, expiry);
    }

    private static ProblemException answerIdTaken() {
        return ProblemException.conflict("'answer_id' is already used by another message or turn.");
    }
}

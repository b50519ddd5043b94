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
import io.chatplatform.session.message.MessageStore.TurnBegun;
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
 * Begins a turn in one round trip to PostgreSQL (the function {@code begin_turn}, in auto-commit: its own
 * transaction): the session's ownership and row lock, the checks, the user message stored idempotently on
 * (session, client_message_id) and the context tail within the token budget. A replay takes a transaction of
 * its own (rare: chat-service's retry of a turn it began).
 * The user message remembers the answer id it was given, so a replay returns the first call's answer
 * id and grant whatever answer id it sends.
 */
@ApplicationScoped
public class TurnService {

    private final Db db;
    private final MessageStore store;
    private final WriteGrants grants;
    private final SessionsConfig config;
    private final VersionTurns versions;

    public TurnService(Db db, MessageStore store, WriteGrants grants, SessionsConfig config, VersionTurns versions) {
        this.db = db;
        this.store = store;
        this.grants = grants;
        this.config = config;
        this.versions = versions;
    }

    /** A begun turn, and whether this call stored its user message (201) or found it (200). */
    public record Begun(TurnStarted turn, boolean created) {
    }

    public Begun begin(UUID userId, UUID sessionId, BeginTurn body) {
        check(body);
        if (body.editOf() != null || body.regenerateOf() != null) {
            return versionTurn(userId, sessionId, body);
        }
        String title = SessionService.titleFrom(body.content());
        NewMessage user = new NewMessage(UUID.randomUUID(), "user", body.content(), null, body.clientMessageId(),
                body.parentId(), body.answerId(), null);
        TurnBegun begun;
        try {
            begun = db.read(c -> store.beginTurn(c, userId, sessionId, user, title, body.contextBudgetTokens()));
        } catch (Db.DbException e) {
            if (Db.isUniqueViolation(e)) {
                throw answerIdTaken(); // another session's turn took the same answer id at the same moment
            }
            throw e;
        }
        return switch (begun.outcome()) {
            case STORED -> {
                // the session title after this message, so chat-service can announce a first title (session.updated)
                Message stored = begun.message().withSessionTitle(begun.titleBefore() != null ? begun.titleBefore() : title);
                yield new Begun(new TurnStarted(stored, body.answerId(), grant(sessionId, body.answerId(), userId, stored),
                        ContextMessage.of(begun.context()), null), true);
            }
            case REPLAY -> db.inTransaction(c -> replay(c, userId, sessionId, body));
            // a replay takes the lock again: rare, and the first call's rows are all committed by now
            case NOT_FOUND -> throw SessionService.notFound();
            case ANSWER_ID_TAKEN -> throw answerIdTaken();
            case PARENT_NOT_IN_SESSION -> throw invalid("parent_id", "must be a message of this session");
            case PARENT_NOT_LEAF -> throw ProblemException.conflict("Field 'parent_id' is not the last message of the"
                    + " branch shown; a new version of a message is sent with 'edit_of'.");
        };
    }

    /** What Bean Validation cannot say alone: content unless regenerating, and one way to place the turn. */
    private void check(BeginTurn body) {
        int placements = (body.parentId() != null ? 1 : 0) + (body.editOf() != null ? 1 : 0)
                + (body.regenerateOf() != null ? 1 : 0);
        if (placements > 1) {
            throw invalid(body.regenerateOf() != null ? "regenerate_of" : "edit_of",
                    "must not be combined with parent_id, edit_of or regenerate_of");
        }
        if (body.regenerateOf() == null) {
            if (body.content() == null || body.content().isBlank()) {
                throw invalid("content", "must not be blank");
            }
            MessageService.checkSize(body.content(), config.maxContentBytes());
        }
    }

    /** Edit and resend, or regenerate: rare, so a transaction of a few statements (VersionTurns). */
    private Begun versionTurn(UUID userId, UUID sessionId, BeginTurn body) {
        try {
            return db.inTransaction(c -> {
                Locked locked = MessageStore.lock(c, userId, sessionId, body.clientMessageId(), null, body.answerId())
                        .orElseThrow(SessionService::notFound);
                if (locked.existing() != null) {
                    return replay(c, userId, sessionId, locked, body);
                }
                if (locked.answerIdTaken()) {
                    throw answerIdTaken();
                }
                if (body.regenerateOf() != null) {
                    VersionTurns.Versioned v = versions.regenerate(c, sessionId, locked, body);
                    return new Begun(new TurnStarted(v.user(), body.answerId(),
                            grant(sessionId, body.answerId(), userId, v.answer()), ContextMessage.of(v.context()), null), true);
                }
                String title = SessionService.titleFrom(body.content());
                VersionTurns.Versioned v = versions.edit(c, sessionId, locked, body, title);
                Message user = v.user().withSessionTitle(locked.title() != null ? locked.title() : title);
                return new Begun(new TurnStarted(user, body.answerId(), grant(sessionId, body.answerId(), userId, user),
                        ContextMessage.of(v.context()), null), true);
            });
        } catch (Db.DbException e) {
            if (Db.isUniqueViolation(e)) {
                throw answerIdTaken();
            }
            throw e;
        }
    }

    private static ProblemException invalid(String field, String message) {
        return ProblemException.badRequest("Field '" + field + "' " + message + ".")
                .extension("violations", List.of(Map.of("field", field, "message", message)));
    }

    /** The same client_message_id again: the first call's user message, answer id and grant, and the answer so far. */
    private Begun replay(Connection c, UUID userId, UUID sessionId, BeginTurn body) throws SQLException {
        Locked locked = MessageStore.lock(c, userId, sessionId, body.clientMessageId(), null, body.answerId())
                .orElseThrow(SessionService::notFound);
        if (locked.existing() == null) {
            // messages go only with their session, which the lock would not have found: cannot happen
            throw new IllegalStateException("a replayed client_message_id is no longer in its session");
        }
        return replay(c, userId, sessionId, locked, body);
    }

    private Begun replay(Connection c, UUID userId, UUID sessionId, Locked locked, BeginTurn body)
            throws SQLException {
        if ("assistant".equals(locked.existing().role()) && locked.existing().parentId() != null) {
            return replayRegenerate(c, userId, sessionId, locked.existing(), body);
        }
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
        return new Begun(new TurnStarted(user, answerId, grant(sessionId, answerId, userId, user), ContextMessage.of(context),
                answer),
                false);
    }

    /** A regenerate's client_message_id again: its answer (as stored so far) and the user message it follows. */
    private Begun replayRegenerate(Connection c, UUID userId, UUID sessionId, Message answer, BeginTurn body)
            throws SQLException {
        Message user = MessageReads.byId(c, sessionId, answer.parentId()).orElseThrow();
        List<Message> context = MessageReads.context(c, sessionId, user.seq(), body.contextBudgetTokens());
        return new Begun(new TurnStarted(user, answer.id(), grant(sessionId, answer.id(), userId, answer),
                ContextMessage.of(context), answer), false);
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

package io.chatplatform.session.turn;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Db;
import io.chatplatform.session.message.Message;
import io.chatplatform.session.message.MessageRows;
import io.chatplatform.session.message.MessageStore;
import io.chatplatform.session.message.MessageStore.NewMessage;
import io.chatplatform.session.session.SessionService;
import io.chatplatform.session.turn.WriteGrants.Grant;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * Stores a turn's answer as it grows. The first write creates the assistant message (id = answer id,
 * the session's next seq, parent = the turn's user message); later writes replace its content,
 * metadata and finish reason until one sets a finish reason: from then on it is final.
 */
@ApplicationScoped
public class AnswerService {

    /*
     * A growing answer: one statement, no session lock (the seq is already taken). Also checks that the
     * session still exists and is the grant's user's. Parameters: content, metadata, finish reason,
     * answer, session, user.
     */
    private static final String GROW = """
            UPDATE messages AS m SET content = ?, metadata = ?::jsonb, finish_reason = ?
            WHERE m.id = ? AND m.session_id = ? AND m.role = 'assistant' AND m.finish_reason IS NULL
              AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = m.session_id AND s.user_id = ? AND NOT s.retiring)
            RETURNING %s
            """.formatted(MessageRows.COLUMNS);

    /* The first write: lock the session, find the turn's user message and any message that has the answer's id. */
    private static final String LOCK = """
            SELECT s.message_count, (SELECT u.id FROM messages u WHERE u.session_id = s.id AND u.answer_id = ?),
                   %s
            FROM sessions s LEFT JOIN messages m ON m.id = ?
            WHERE s.id = ? AND s.user_id = ? AND NOT s.retiring
            FOR UPDATE OF s
            """.formatted(MessageRows.COLUMNS);

    private final Db db;
    private final MessageStore store;

    public AnswerService(Db db, MessageStore store) {
        this.db = db;
        this.store = store;
    }

    /** Writes the answer the (verified, in scope) grant is for; {@code metadata} is a JSON object's text or null. */
    public Message write(Grant grant, String content, String metadata, String finishReason) {
        Optional<Message> grown = db.read(c -> grow(c, grant, content, metadata, finishReason));
        return grown.orElseGet(() -> db.inTransaction(c -> create(c, grant, content, metadata, finishReason)));
    }

    private Message create(Connection c, Grant grant, String content, String metadata, String finishReason)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setObject(1, grant.answerId());
            ps.setObject(2, grant.answerId());
            ps.setObject(3, grant.sessionId());
            ps.setObject(4, grant.userId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw SessionService.notFound(); // deleted (or retiring) since the turn began
                }
                long lastSeq = rs.getLong(1);
                UUID userMessage = rs.getObject(2, UUID.class);
                Message existing = MessageRows.read(rs, 3);
                if (existing == null) {
                    return store.insert(c, grant.sessionId(), lastSeq, new NewMessage(grant.answerId(), "assistant",
                            content, metadata, null, userMessage, null, finishReason), null);
                }
                if (!existing.sessionId().equals(grant.sessionId()) || !"assistant".equals(existing.role())) {
                    throw ProblemException.conflict("The answer id names another message.");
                }
                // created by a concurrent write meanwhile, or already final (then it stays as stored)
                return grow(c, grant, content, metadata, finishReason).orElse(existing);
            }
        }
    }

    private static Optional<Message> grow(Connection c, Grant grant, String content, String metadata,
                                          String finishReason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(GROW)) {
            ps.setString(1, content);
            ps.setString(2, metadata);
            ps.setString(3, finishReason);
            ps.setObject(4, grant.answerId());
            ps.setObject(5, grant.sessionId());
            ps.setObject(6, grant.userId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(MessageRows.read(rs, 1)) : Optional.empty();
            }
        }
    }
}

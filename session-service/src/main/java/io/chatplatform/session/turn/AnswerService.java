package io.chatplatform.session.turn;

import io.chatplatform.common.problem.ProblemException;
import io.chatplatform.session.Db;
import io.chatplatform.session.message.Message;
import io.chatplatform.session.message.MessageRows;
import io.chatplatform.session.message.MessageStore;
import io.chatplatform.session.session.SessionService;
import io.chatplatform.session.turn.WriteGrants.Grant;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Stores a turn's answer as it grows. The first write creates the assistant message (id = answer id,
 * the session's next seq, parent = the turn's user message); later writes replace its content,
 * metadata and finish reason until one sets a finish reason: from then on it is final. Every write is one
 * round trip (the function {@code write_answer}, V6__answer_write_and_context_scan.sql, in auto-commit): a grow needs no
 * session lock, a create takes it inside the function.
 */
@ApplicationScoped
public class AnswerService {

    /* Rows (part, the COLUMNS of the answer); parameters: answer, session, user, content, metadata, finish, now. */
    private static final String WRITE = "SELECT part, " + MessageRows.COLUMNS + " FROM write_answer(?, ?, ?, ?, ?, ?, ?) m";

    private final Db db;
    private final MessageStore store;

    public AnswerService(Db db, MessageStore store) {
        this.db = db;
        this.store = store;
    }

    /** Writes the answer the (verified, in scope) grant is for; {@code metadata} is a JSON object's text or null. */
    public Message write(Grant grant, String content, String metadata, String finishReason) {
        return db.read(c -> write(c, grant, content, metadata, finishReason));
    }

    private Message write(Connection c, Grant grant, String content, String metadata, String finishReason)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WRITE)) {
            ps.setObject(1, grant.answerId());
            ps.setObject(2, grant.sessionId());
            ps.setObject(3, grant.userId());
            ps.setString(4, content);
            ps.setString(5, metadata);
            ps.setString(6, finishReason);
            ps.setObject(7, Db.timestamp(Db.now()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("write_answer returned no row");
                }
                return switch (rs.getInt(1)) {
                    case 0 -> MessageRows.read(rs, 2);
                    case 1 -> {
                        store.counted();
                        yield MessageRows.read(rs, 2);
                    }
                    case -1 -> throw SessionService.notFound(); // deleted (or retiring) since the turn began
                    case -2 -> throw ProblemException.conflict("The answer id names another message.");
                    default -> throw new SQLException("write_answer: unknown part " + rs.getInt(1));
                };
            }
        }
    }
}

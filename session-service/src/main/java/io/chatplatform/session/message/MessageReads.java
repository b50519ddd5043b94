package io.chatplatform.session.message;

import io.chatplatform.session.Db;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The hot reads, each one SQL statement with the ownership check folded in: no JTA transaction, no
 * Hibernate session, rows mapped straight into {@link Message} records.
 */
@ApplicationScoped
public class MessageReads {

    /*
     * A keyset page by seq over the (session_id, seq) unique index, of the branch shown (the active
     * messages). The session is the outer side of a lateral join: no row at all means "not the caller's
     * session" (404), one row of nulls means an owned session with nothing after after_seq.
     */
    private static final String PAGE = """
            SELECT %s
            FROM sessions s
            LEFT JOIN LATERAL (
                SELECT id, session_id, seq, role, content, metadata, client_message_id, parent_id, version, versions,
                       created_at
                FROM messages WHERE session_id = s.id AND seq > ? AND active ORDER BY seq LIMIT ?
            ) m ON true
            WHERE s.id = ? AND s.user_id = ? AND NOT s.retiring
            ORDER BY m.seq
            """.formatted(MessageRows.COLUMNS);

    /* The longest tail of the branch shown before a seq within a token budget (V6__answer_write_and_context_scan.sql). */
    private static final String CONTEXT = "SELECT " + MessageRows.COLUMNS + " FROM context_tail(?, ?, ?) m";

    private static final String BY_ID = "SELECT " + MessageRows.COLUMNS
            + " FROM messages m WHERE m.id = ? AND m.session_id = ?";

    private final Db db;

    public MessageReads(Db db) {
        this.db = db;
    }

    /** Up to {@code limit} messages after {@code afterSeq}, or empty when the session is not the caller's. */
    public Optional<List<Message>> page(UUID userId, UUID sessionId, long afterSeq, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(PAGE)) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, limit);
                ps.setObject(3, sessionId);
                ps.setObject(4, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    List<Message> items = new ArrayList<>(limit);
                    do {
                        Message m = MessageRows.read(rs, 1);
                        if (m != null) {
                            items.add(m);
                        }
                    } while (rs.next());
                    return Optional.of(items);
                }
            }
        });
    }

    /** The context tail before {@code beforeSeq} within {@code budgetTokens}, oldest first (the caller holds the session). */
    public static List<Message> context(Connection c, UUID sessionId, long beforeSeq, int budgetTokens)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CONTEXT)) {
            ps.setObject(1, sessionId);
            ps.setLong(2, beforeSeq);
            ps.setInt(3, budgetTokens);
            List<Message> items = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(MessageRows.read(rs, 1));
                }
            }
            return items;
        }
    }

    /** The message {@code id} of session {@code sessionId}, if there is one. */
    public static Optional<Message> byId(Connection c, UUID sessionId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BY_ID)) {
            ps.setObject(1, id);
            ps.setObject(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(MessageRows.read(rs, 1)) : Optional.empty();
            }
        }
    }
}

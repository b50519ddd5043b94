package io.chatplatform.session.message;

import io.chatplatform.session.Db;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Appends to a session, for every writer (browser appends, turns, answers), inside the caller's JDBC
 * transaction. {@link #lock} takes the session row ({@code SELECT ... FOR UPDATE}) for the rest of the
 * transaction, so concurrent appends from any number of replicas take seq numbers one after the other;
 * a rollback gives its number back, so seq stays gap-free. The unique (session_id, seq) and
 * (session_id, client_message_id) constraints back this up in the database.
 */
@ApplicationScoped
@Startup // created at start-up, so its counter is scraped (as 0) before the first append
public class MessageStore {

    /* Takes the caller's session row for the rest of the transaction. Parameters: session, user. */
    private static final String LOCK = """
            SELECT s.message_count, s.title FROM sessions s
            WHERE s.id = ? AND s.user_id = ? AND NOT s.retiring
            FOR UPDATE
            """;

    /*
     * Everything else an append decides on, read once the lock is held: the previous message (the default
     * parent), an earlier message with the same client id (a replay), whether a given parent is in this session
     * and whether a given answer id is taken. A statement of its own because in READ COMMITTED a statement that
     * waited for the row lock re-reads only the locked row: joined rows and sub-selects would keep the snapshot
     * from before the wait and miss what the transaction we waited for had just committed (a twin with the same
     * client id, the new previous message). Parameters: session, seq, parent, session, answer, answer, session,
     * client_message_id.
     */
    private static final String READ = """
            SELECT (SELECT p.id FROM messages p WHERE p.session_id = ? AND p.seq = ?),
                   EXISTS (SELECT 1 FROM messages p WHERE p.id = ? AND p.session_id = ?),
                   EXISTS (SELECT 1 FROM messages a WHERE a.id = ?) OR EXISTS (SELECT 1 FROM messages a WHERE a.answer_id = ?),
                   m.answer_id, %s
            FROM (SELECT 1) one
            LEFT JOIN messages m ON m.session_id = ? AND m.client_message_id = ?
            """.formatted(MessageRows.COLUMNS);

    /* The session's counter and activity move with the insert; an untitled session takes the given title. */
    private static final String INSERT = """
            WITH bump AS (
                UPDATE sessions SET message_count = ?, last_message_at = ?, last_activity_at = ?, updated_at = ?,
                                    title = COALESCE(title, ?)
                WHERE id = ?)
            INSERT INTO messages AS m (id, session_id, seq, role, content, metadata, client_message_id, parent_id,
                                       answer_id, finish_reason, created_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)
            RETURNING %s
            """.formatted(MessageRows.COLUMNS);

    /** The locked session as {@link #LOCK} read it. */
    public record Locked(long messageCount, String title, UUID previousId, boolean parentInSession,
                         boolean answerIdTaken, Message existing, UUID existingAnswerId) {
    }

    /** A message to insert as the session's next one (its seq is the locked counter + 1). */
    public record NewMessage(UUID id, String role, String content, String metadata, String clientMessageId,
                             UUID parentId, UUID answerId, String finishReason) {
    }

    private final Counter appended;

    public MessageStore(MeterRegistry registry) {
        this.appended = Counter.builder("sessions.messages.appended")
                .description("Messages appended to sessions (idempotent repeats not counted)")
                .register(registry);
    }

    /**
     * Locks the caller's session for the rest of the transaction; empty when it is not the caller's.
     * {@code clientMessageId}, {@code parentId} and {@code answerId} may be null (nothing to look up).
     */
    public static Optional<Locked> lock(Connection c, UUID userId, UUID sessionId, String clientMessageId,
                                        UUID parentId, UUID answerId) throws SQLException {
        long count;
        String title;
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setObject(1, sessionId);
            ps.setObject(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                count = rs.getLong(1);
                title = rs.getString(2);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setObject(1, sessionId);
            ps.setLong(2, count);
            uuid(ps, 3, parentId);
            ps.setObject(4, sessionId);
            uuid(ps, 5, answerId);
            uuid(ps, 6, answerId);
            ps.setObject(7, sessionId);
            ps.setString(8, clientMessageId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.of(new Locked(count, title, rs.getObject(1, UUID.class), rs.getBoolean(2),
                        rs.getBoolean(3), MessageRows.read(rs, 5), rs.getObject(4, UUID.class)));
            }
        }
    }

    /**
     * Inserts {@code m} as the next message after {@code lastSeq} (the locked counter: the caller holds
     * the session's lock) and moves the session's counter and activity; an untitled session takes {@code title}.
     */
    public Message insert(Connection c, UUID sessionId, long lastSeq, NewMessage m, String title)
            throws SQLException {
        Instant now = Db.now();
        long seq = lastSeq + 1;
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setLong(1, seq);
            ps.setObject(2, Db.timestamp(now));
            ps.setObject(3, Db.timestamp(now));
            ps.setObject(4, Db.timestamp(now));
            ps.setString(5, title);
            ps.setObject(6, sessionId);
            ps.setObject(7, m.id());
            ps.setObject(8, sessionId);
            ps.setLong(9, seq);
            ps.setString(10, m.role());
            ps.setString(11, m.content());
            ps.setString(12, m.metadata());
            ps.setString(13, m.clientMessageId());
            uuid(ps, 14, m.parentId());
            uuid(ps, 15, m.answerId());
            ps.setString(16, m.finishReason());
            ps.setObject(17, Db.timestamp(now));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Message inserted = MessageRows.read(rs, 1);
                appended.increment();
                return inserted;
            }
        }
    }

    /** A UUID parameter that may be null (typed, so PostgreSQL need not guess). */
    static void uuid(PreparedStatement ps, int index, UUID value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.OTHER);
        } else {
            ps.setObject(index, value);
        }
    }
}

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
import java.util.ArrayList;
import java.util.List;
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
     * parent: the highest seq, which is the locked counter's), an earlier message with the same client id (a
     * replay), whether a given parent is in this session and whether a given answer id is taken. A statement of
     * its own because in READ COMMITTED a statement that waited for the row lock re-reads only the locked row:
     * joined rows and sub-selects would keep the snapshot from before the wait and miss what the transaction we
     * waited for had just committed (a twin with the same client id, the new previous message). It is sent with
     * LOCK in one round trip (see LOCK_AND_READ). Parameters: session, parent, session, answer, answer, session,
     * client_message_id.
     */
    private static final String READ = """
            SELECT (SELECT p.id FROM messages p WHERE p.session_id = ? ORDER BY p.seq DESC LIMIT 1),
                   EXISTS (SELECT 1 FROM messages p WHERE p.id = ? AND p.session_id = ?),
                   EXISTS (SELECT 1 FROM messages a WHERE a.id = ?) OR EXISTS (SELECT 1 FROM messages a WHERE a.answer_id = ?),
                   m.answer_id, %s
            FROM (SELECT 1) one
            LEFT JOIN messages m ON m.session_id = ? AND m.client_message_id = ?
            """.formatted(MessageRows.COLUMNS);

    /*
     * Both in one round trip: pgjdbc sends the statements of one prepared statement together and syncs once, and
     * PostgreSQL still runs READ as a statement of its own, with a snapshot taken after LOCK got the row.
     */
    private static final String LOCK_AND_READ = LOCK.strip() + ";\n" + READ;

    /* The session's counter and activity move with the insert; an untitled session takes the given title. */
    private static final String BUMP_AND_INSERT = """
            bump AS (
                UPDATE sessions SET message_count = ?, last_message_at = ?, last_activity_at = ?, updated_at = ?,
                                    title = COALESCE(title, ?)
                WHERE id = ?),
            ins AS (
                INSERT INTO messages AS m (id, session_id, seq, role, content, metadata, client_message_id, parent_id,
                                           answer_id, finish_reason, created_at)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)
                RETURNING %s)
            """.formatted(MessageRows.COLUMNS);

    private static final String INSERT = "WITH " + BUMP_AND_INSERT + "SELECT " + MessageRows.COLUMNS + " FROM ins m";

    /*
     * The insert and the turn's context tail in one statement: the tail reads the snapshot from before the insert,
     * which is what it wants (the messages before the new one). Rows: the new message (part 0), then the tail
     * oldest first (part 1).
     */
    private static final String INSERT_WITH_CONTEXT = "WITH RECURSIVE " + BUMP_AND_INSERT + ", " + MessageReads.TAIL
            + " SELECT 0 AS part, " + MessageRows.COLUMNS + " FROM ins m"
            + " UNION ALL SELECT 1, " + MessageRows.COLUMNS + " FROM tail m WHERE m.total <= ?"
            + " ORDER BY part, seq";

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
        try (PreparedStatement ps = c.prepareStatement(LOCK_AND_READ)) {
            ps.setObject(1, sessionId);
            ps.setObject(2, userId);
            ps.setObject(3, sessionId);
            uuid(ps, 4, parentId);
            ps.setObject(5, sessionId);
            uuid(ps, 6, answerId);
            uuid(ps, 7, answerId);
            ps.setObject(8, sessionId);
            ps.setString(9, clientMessageId);
            ps.execute();
            long count;
            String title;
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    return Optional.empty(); // not the caller's session: what READ found is not looked at
                }
                count = rs.getLong(1);
                title = rs.getString(2);
            }
            if (!ps.getMoreResults()) {
                throw new SQLException("no result for the read after the session lock");
            }
            try (ResultSet rs = ps.getResultSet()) {
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
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bindInsert(ps, sessionId, lastSeq + 1, m, title);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Message inserted = MessageRows.read(rs, 1);
                appended.increment();
                return inserted;
            }
        }
    }

    /** A new message and the context tail before it. */
    public record InsertedWithContext(Message message, List<Message> context) {
    }

    /**
     * {@link #insert}, and in the same round trip the longest tail of the messages before it whose estimated
     * tokens fit {@code budgetTokens} (as {@link MessageReads#context}), oldest first.
     */
    public InsertedWithContext insertWithContext(Connection c, UUID sessionId, long lastSeq, NewMessage m, String title,
                                                 int budgetTokens) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_WITH_CONTEXT)) {
            int next = bindInsert(ps, sessionId, lastSeq + 1, m, title);
            ps.setObject(next, sessionId);
            ps.setLong(next + 1, lastSeq + 1);
            ps.setObject(next + 2, sessionId);
            ps.setInt(next + 3, budgetTokens);
            ps.setInt(next + 4, budgetTokens);
            try (ResultSet rs = ps.executeQuery()) {
                Message inserted = null;
                List<Message> context = new ArrayList<>();
                while (rs.next()) {
                    Message row = MessageRows.read(rs, 2);
                    if (rs.getInt(1) == 0) {
                        inserted = row;
                    } else {
                        context.add(row);
                    }
                }
                if (inserted == null) {
                    throw new SQLException("the insert returned no row");
                }
                appended.increment();
                return new InsertedWithContext(inserted, context);
            }
        }
    }

    /** Binds BUMP_AND_INSERT's parameters; returns the index of the next one. */
    private static int bindInsert(PreparedStatement ps, UUID sessionId, long seq, NewMessage m, String title)
            throws SQLException {
        Instant now = Db.now();
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
        return 18;
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

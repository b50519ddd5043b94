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
     * parent: the end of the branch shown), an earlier message with the same client id (a
     * replay), whether a given parent is in this session and whether a given answer id is taken. A statement of
     * its own because in READ COMMITTED a statement that waited for the row lock re-reads only the locked row:
     * joined rows and sub-selects would keep the snapshot from before the wait and miss what the transaction we
     * waited for had just committed (a twin with the same client id, the new previous message). It is sent with
     * LOCK in one round trip (see LOCK_AND_READ). Parameters: session, parent, session, answer, answer, session,
     * client_message_id.
     */
    private static final String READ = """
            SELECT (SELECT p.id FROM messages p WHERE p.session_id = ? AND p.active ORDER BY p.seq DESC LIMIT 1),
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

    /*
     * The session's counter and activity move with the insert; an untitled session takes the given title. The new
     * message is on the branch shown when its parent is (an answer whose user message was switched away from
     * while it was written is not).
     */
    private static final String BUMP_AND_INSERT = """
            bump AS (
                UPDATE sessions SET message_count = ?, last_message_at = ?, last_activity_at = ?, updated_at = ?,
                                    title = COALESCE(title, ?)
                WHERE id = ?),
            ins AS (
                INSERT INTO messages AS m (id, session_id, seq, role, content, metadata, client_message_id, parent_id,
                                           answer_id, finish_reason, created_at, version_of, version, versions, active)
                SELECT ?::uuid, ?::uuid, ?, ?, ?, ?::jsonb, ?, ?::uuid, ?::uuid, ?, ?, ?::uuid, ?, ?, COALESCE(p.active, true)
                FROM (SELECT 1) one LEFT JOIN messages p ON p.id = ?
                RETURNING %s)
            """.formatted(MessageRows.COLUMNS);

    private static final String INSERT = "WITH " + BUMP_AND_INSERT + "SELECT " + MessageRows.COLUMNS + " FROM ins m";

    /* V5__message_branches.sql: rows (part, the COLUMNS of a message, the session's title before it). */
    private static final String BEGIN_TURN = "SELECT part, " + MessageRows.COLUMNS + ", m.title"
            + " FROM begin_turn(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) m";

    /** The locked session as {@link #LOCK} read it. */
    public record Locked(long messageCount, String title, UUID previousId, boolean parentInSession,
                         boolean answerIdTaken, Message existing, UUID existingAnswerId) {
    }

    /**
     * A message to insert as the session's next one (its seq is the locked counter + 1): as version {@code version}
     * of {@code versionOf} (the first version) when that is not null.
     */
    public record NewMessage(UUID id, String role, String content, String metadata, String clientMessageId,
                             UUID parentId, UUID answerId, String finishReason, UUID versionOf, int version) {

        /** A message that is the first (and only) version of itself. */
        public NewMessage(UUID id, String role, String content, String metadata, String clientMessageId,
                          UUID parentId, UUID answerId, String finishReason) {
            this(id, role, content, metadata, clientMessageId, parentId, answerId, finishReason, null, 1);
        }
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

    /** How {@link #beginTurn} ended: the user message stored, or why nothing was. */
    public enum TurnOutcome { STORED, NOT_FOUND, REPLAY, ANSWER_ID_TAKEN, PARENT_NOT_IN_SESSION, PARENT_NOT_LEAF }

    /** The stored user message, the session's title before it and the context tail before it (when STORED). */
    public record TurnBegun(TurnOutcome outcome, Message message, String titleBefore, List<Message> context) {
    }

    /** Counts a message a database function inserted (the answer's first write). */
    public void counted() {
        appended.increment();
    }

    /**
     * A turn's begin in one statement (the database function {@code begin_turn}): the caller's session locked, the
     * checks, {@code m} stored as its next user message and the longest tail before it whose estimated tokens fit
     * {@code budgetTokens}, oldest first. Called in auto-commit, it is one round trip and one transaction; a
     * known {@code clientMessageId} changes nothing and answers REPLAY (the caller takes {@link #lock}'s path).
     */
    public TurnBegun beginTurn(Connection c, UUID userId, UUID sessionId, NewMessage m, String title,
                               int budgetTokens) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BEGIN_TURN)) {
            ps.setObject(1, sessionId);
            ps.setObject(2, userId);
            ps.setString(3, m.clientMessageId());
            uuid(ps, 4, m.parentId());
            ps.setObject(5, m.answerId());
            ps.setObject(6, m.id());
            ps.setString(7, m.content());
            ps.setString(8, title);
            ps.setObject(9, Db.timestamp(Db.now()));
            ps.setInt(10, budgetTokens);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("begin_turn returned no row");
                }
                TurnOutcome refused = switch (rs.getInt(1)) {
                    case 0 -> null;
                    case -1 -> TurnOutcome.NOT_FOUND;
                    case -2 -> TurnOutcome.REPLAY;
                    case -3 -> TurnOutcome.ANSWER_ID_TAKEN;
                    case -4 -> TurnOutcome.PARENT_NOT_IN_SESSION;
                    case -5 -> TurnOutcome.PARENT_NOT_LEAF;
                    default -> throw new SQLException("begin_turn: unknown part " + rs.getInt(1));
                };
                if (refused != null) {
                    return new TurnBegun(refused, null, null, List.of());
                }
                Message inserted = MessageRows.read(rs, 2);
                String titleBefore = rs.getString(2 + MessageRows.COUNT);
                List<Message> context = new ArrayList<>();
                while (rs.next()) {
                    context.add(MessageRows.read(rs, 2));
                }
                appended.increment();
                return new TurnBegun(TurnOutcome.STORED, inserted, titleBefore, context);
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
        uuid(ps, 18, m.versionOf());
        ps.setInt(19, m.version());
        ps.setInt(20, m.version()); // the newest version: as many versions as its number
        uuid(ps, 21, m.parentId());
        return 22;
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

package io.chatplatform.session.branch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * The branch shown of a session's message tree, inside the caller's transaction (which holds the session's lock):
 * the active messages, one path in seq order. A new version (regenerate, edit) leaves the old one and everything
 * after it; a switch moves the flag on the two branches after their fork. See V5__message_branches.sql.
 */
public final class BranchStore {

    /** A message as the branch moves see it; {@code group} is its first version's id (its own when it is one). */
    public record Node(UUID id, long seq, String role, UUID parentId, UUID group, int versions, boolean active) {
    }

    private static final String NODE = "SELECT m.id, m.seq, m.role, m.parent_id, COALESCE(m.version_of, m.id),"
            + " m.versions, m.active FROM messages m";

    private static final String LEAVE = "UPDATE messages SET active = false WHERE session_id = ? AND active AND seq >= ?";

    /* Every version of a group counts one more; the new one's number is the new count. */
    private static final String ADD_VERSION = """
            UPDATE messages SET versions = versions + 1 WHERE id = ? OR version_of = ? RETURNING versions
            """;

    /* From a message down to the newest leaf below it (the newest reply at each step), all put on the branch shown. */
    private static final String SHOW_DOWN = """
            WITH RECURSIVE down AS (
                SELECT m.id FROM messages m WHERE m.id = ?
                UNION ALL
                SELECT r.id FROM down d CROSS JOIN LATERAL (
                    SELECT m.id FROM messages m WHERE m.parent_id = d.id AND m.session_id = ? ORDER BY m.seq DESC LIMIT 1
                ) r
            )
            UPDATE messages SET active = true WHERE id IN (SELECT id FROM down)
            """;

    private BranchStore() {
    }

    /** Message {@code id} of the session, if there is one. */
    public static Optional<Node> node(Connection c, UUID sessionId, UUID id) throws SQLException {
        return one(c, NODE + " WHERE m.id = ? AND m.session_id = ?", id, sessionId);
    }

    /** Version {@code version} of the group, if there is one. */
    public static Optional<Node> version(Connection c, UUID group, int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NODE + " WHERE (m.id = ? OR m.version_of = ?) AND m.version = ?")) {
            ps.setObject(1, group);
            ps.setObject(2, group);
            ps.setInt(3, version);
            return read(ps);
        }
    }

    /** The version of the group on the branch shown, if the group is on it. */
    public static Optional<Node> shownVersion(Connection c, UUID group) throws SQLException {
        return one(c, NODE + " WHERE (m.id = ? OR m.version_of = ?) AND m.active", group, group);
    }

    /** The reply to {@code parentId} on the branch shown (a user message's answer), if there is one. */
    public static Optional<Node> shownReply(Connection c, UUID sessionId, UUID parentId) throws SQLException {
        return one(c, NODE + " WHERE m.parent_id = ? AND m.session_id = ? AND m.active", parentId, sessionId);
    }

    /** The message on the branch shown just before {@code seq} (the parent of a message older than parent_id). */
    public static Optional<Node> shownBefore(Connection c, UUID sessionId, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NODE
                + " WHERE m.session_id = ? AND m.seq < ? AND m.active ORDER BY m.seq DESC LIMIT 1")) {
            ps.setObject(1, sessionId);
            ps.setLong(2, seq);
            return read(ps);
        }
    }

    /** Takes the messages from {@code seq} on off the branch shown. */
    public static void leaveFrom(Connection c, UUID sessionId, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LEAVE)) {
            ps.setObject(1, sessionId);
            ps.setLong(2, seq);
            ps.executeUpdate();
        }
    }

    /** Counts a new version of the group; returns its number. */
    public static int addVersion(Connection c, UUID group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ADD_VERSION)) {
            ps.setObject(1, group);
            ps.setObject(2, group);
            int versions = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions = Math.max(versions, rs.getInt(1));
                }
            }
            return versions;
        }
    }

    /** Puts {@code id} and the newest leaf below it on the branch shown. */
    public static void showDown(Connection c, UUID sessionId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SHOW_DOWN)) {
            ps.setObject(1, id);
            ps.setObject(2, sessionId);
            ps.executeUpdate();
        }
    }

    private static Optional<Node> one(Connection c, String sql, UUID a, UUID b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, a);
            ps.setObject(2, b);
            return read(ps);
        }
    }

    private static Optional<Node> read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Node(rs.getObject(1, UUID.class), rs.getLong(2), rs.getString(3),
                    rs.getObject(4, UUID.class), rs.getObject(5, UUID.class), rs.getInt(6), rs.getBoolean(7)));
        }
    }
}

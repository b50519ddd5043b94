package io.chatplatform.session.message;

import io.chatplatform.session.Db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** The columns of a {@link Message} in SQL, and the mapping of a result row into one (no entity in between). */
public final class MessageRows {

    /** Select list of a message; {@code m} is the alias of the messages table (or of a row set shaped like it). */
    public static final String COLUMNS = "m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text,"
            + " m.client_message_id, m.parent_id, m.version, m.versions, m.created_at";
    static final int COUNT = 11;

    private MessageRows() {
    }

    /** The message in the {@link #COLUMNS} starting at column {@code from}, or null when its id is null (an outer join's miss). */
    public static Message read(ResultSet rs, int from) throws SQLException {
        UUID id = rs.getObject(from, UUID.class);
        if (id == null) {
            return null;
        }
        return new Message(id, rs.getObject(from + 1, UUID.class), rs.getLong(from + 2), rs.getString(from + 3),
                rs.getString(from + 4), rs.getString(from + 5), rs.getString(from + 6),
                rs.getObject(from + 7, UUID.class), rs.getInt(from + 8), rs.getInt(from + 9), Db.instant(rs, from + 10),
                null);
    }
}

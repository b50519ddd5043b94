-- Branches of the message tree (regenerate, edit and resend). A message's versions share its parent; the branch
-- shown is the set of `active` messages, one path from the first message to a leaf in seq order, so history pages,
-- exports and the turn's context stay one index range scan (WHERE session_id = ? AND seq > ? AND active).
-- Constant defaults: metadata-only changes, no table rewrite.

-- On the branch shown. Switching versions moves this flag on the two branches' rows after their fork.
ALTER TABLE messages ADD COLUMN active boolean NOT NULL DEFAULT true;
-- The first version of this message (NULL: it is one), and which version of how many it is. `versions` is kept
-- on every version, so a page shows "2/3" without a join.
ALTER TABLE messages ADD COLUMN version_of uuid;
ALTER TABLE messages ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE messages ADD COLUMN versions int NOT NULL DEFAULT 1;
-- A message's versions (small: only messages that have versions are in it).
CREATE INDEX messages_version_of_idx ON messages (version_of) WHERE version_of IS NOT NULL;
-- A message's replies: a switch follows them down to the newest leaf; a regenerate finds the answer.
CREATE INDEX messages_parent_idx ON messages (parent_id) WHERE parent_id IS NOT NULL;

-- V4's functions, with the branch shown and the version columns.
DROP FUNCTION begin_turn(uuid, uuid, varchar, uuid, uuid, uuid, text, varchar, timestamptz, int);
DROP FUNCTION context_tail(uuid, bigint, int);

CREATE FUNCTION context_tail(p_session uuid, p_before bigint, p_budget int)
RETURNS TABLE (id uuid, session_id uuid, seq bigint, role varchar, content text, metadata text,
               client_message_id varchar, parent_id uuid, version int, versions int, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE tail AS (
        (SELECT m.id, m.session_id, m.seq, m.role, m.content, m.metadata, m.client_message_id, m.parent_id,
                m.version, m.versions, m.created_at, (char_length(m.content) + 3) / 4 + 4 AS total
         FROM messages m WHERE m.session_id = p_session AND m.seq < p_before AND m.active ORDER BY m.seq DESC LIMIT 1)
        UNION ALL
        SELECT p.id, p.session_id, p.seq, p.role, p.content, p.metadata, p.client_message_id, p.parent_id,
               p.version, p.versions, p.created_at, t.total + (char_length(p.content) + 3) / 4 + 4
        FROM tail t
        CROSS JOIN LATERAL (
            SELECT m.id, m.session_id, m.seq, m.role, m.content, m.metadata, m.client_message_id, m.parent_id,
                   m.version, m.versions, m.created_at
            FROM messages m WHERE m.session_id = p_session AND m.seq < t.seq AND m.active ORDER BY m.seq DESC LIMIT 1
        ) p
        WHERE t.total + (char_length(p.content) + 3) / 4 + 4 <= p_budget
    )
    SELECT t.id, t.session_id, t.seq, t.role, t.content, t.metadata::text, t.client_message_id, t.parent_id,
           t.version, t.versions, t.created_at
    FROM tail t
    WHERE t.total <= p_budget
    ORDER BY t.seq
$$;

CREATE FUNCTION begin_turn(p_session uuid, p_user uuid, p_client_message_id varchar, p_parent uuid,
                           p_answer uuid, p_id uuid, p_content text, p_title varchar, p_now timestamptz,
                           p_budget int)
RETURNS TABLE (part int, id uuid, session_id uuid, seq bigint, role varchar, content text, metadata text,
               client_message_id varchar, parent_id uuid, version int, versions int, created_at timestamptz,
               title varchar)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
    v_title varchar;
    v_parent uuid;
    v_leaf uuid;
BEGIN
    SELECT s.message_count, s.title INTO v_count, v_title
    FROM sessions s WHERE s.id = p_session AND s.user_id = p_user AND NOT s.retiring
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT -1, NULL::uuid, NULL::uuid, NULL::bigint, NULL::varchar, NULL::text, NULL::text,
                            NULL::varchar, NULL::uuid, NULL::int, NULL::int, NULL::timestamptz, NULL::varchar;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM messages m WHERE m.session_id = p_session AND m.client_message_id = p_client_message_id) THEN
        part := -2;
    ELSIF EXISTS (SELECT 1 FROM messages m WHERE m.id = p_answer)
          OR EXISTS (SELECT 1 FROM messages m WHERE m.answer_id = p_answer) THEN
        part := -3;
    ELSIF p_parent IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = p_parent AND m.session_id = p_session) THEN
        part := -4;
    END IF;
    IF part IS NOT NULL THEN
        RETURN NEXT; -- the other columns are null
        RETURN;
    END IF;
    -- the end of the branch shown (not the newest message: that may be on a branch left)
    SELECT m.id INTO v_leaf FROM messages m WHERE m.session_id = p_session AND m.active ORDER BY m.seq DESC LIMIT 1;
    IF p_parent IS NOT NULL AND p_parent IS DISTINCT FROM v_leaf THEN
        part := -5; -- a turn follows the branch shown; a new version of a message is an edit (TurnService)
        RETURN NEXT;
        RETURN;
    END IF;
    v_parent := v_leaf;
    UPDATE sessions s SET message_count = v_count + 1, last_message_at = p_now, last_activity_at = p_now,
                          updated_at = p_now, title = COALESCE(s.title, p_title)
    WHERE s.id = p_session;
    RETURN QUERY
        INSERT INTO messages AS m (id, session_id, seq, role, content, client_message_id, parent_id, answer_id,
                                   created_at)
        VALUES (p_id, p_session, v_count + 1, 'user', p_content, p_client_message_id, v_parent, p_answer, p_now)
        RETURNING 0, m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id,
                  m.parent_id, m.version, m.versions, m.created_at, v_title;
    RETURN QUERY
        SELECT 1, t.*, NULL::varchar FROM context_tail(p_session, v_count + 1, p_budget) t;
END
$$;

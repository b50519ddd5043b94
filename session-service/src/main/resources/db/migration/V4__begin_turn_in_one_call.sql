-- A turn's begin in one round trip (TurnService): called outside a transaction, the call is its own
-- transaction, so the lock, the checks, the insert, the context read and the commit cost one trip from
-- session-service to PostgreSQL instead of four.

-- The longest tail of a session's messages before a seq whose estimated tokens fit the budget, oldest
-- first: walked backwards one index probe at a time and stopped at the first message that does not fit, so
-- a long session costs no more than the tail it returns. Estimate: ceil(characters / 4) + 4 per message.
CREATE FUNCTION context_tail(p_session uuid, p_before bigint, p_budget int)
RETURNS TABLE (id uuid, session_id uuid, seq bigint, role varchar, content text, metadata text,
               client_message_id varchar, parent_id uuid, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE tail AS (
        (SELECT m.id, m.session_id, m.seq, m.role, m.content, m.metadata, m.client_message_id, m.parent_id,
                m.created_at, (char_length(m.content) + 3) / 4 + 4 AS total
         FROM messages m WHERE m.session_id = p_session AND m.seq < p_before ORDER BY m.seq DESC LIMIT 1)
        UNION ALL
        SELECT p.id, p.session_id, p.seq, p.role, p.content, p.metadata, p.client_message_id, p.parent_id,
               p.created_at, t.total + (char_length(p.content) + 3) / 4 + 4
        FROM tail t
        CROSS JOIN LATERAL (
            SELECT m.id, m.session_id, m.seq, m.role, m.content, m.metadata, m.client_message_id, m.parent_id,
                   m.created_at
            FROM messages m WHERE m.session_id = p_session AND m.seq < t.seq ORDER BY m.seq DESC LIMIT 1
        ) p
        WHERE t.total + (char_length(p.content) + 3) / 4 + 4 <= p_budget
    )
    SELECT t.id, t.session_id, t.seq, t.role, t.content, t.metadata::text, t.client_message_id, t.parent_id,
           t.created_at
    FROM tail t
    WHERE t.total <= p_budget
    ORDER BY t.seq
$$;

-- Locks the caller's session, checks the turn and stores its user message as the session's next one, then
-- returns it (part 0, with the session's title before this message) and the context tail before it (part 1).
-- Anything else is one row with a negative part and nothing changed: -1 not the caller's session, -2 the
-- client_message_id is known (a replay: the caller takes its transactional path), -3 the answer id is taken,
-- -4 the given parent is not a message of this session.
-- Each statement takes its own snapshot (READ COMMITTED), so the checks after the lock see what the
-- transaction the lock waited for had committed (a twin with the same client id, the new last message).
CREATE FUNCTION begin_turn(p_session uuid, p_user uuid, p_client_message_id varchar, p_parent uuid,
                           p_answer uuid, p_id uuid, p_content text, p_title varchar, p_now timestamptz,
                           p_budget int)
RETURNS TABLE (part int, id uuid, session_id uuid, seq bigint, role varchar, content text, metadata text,
               client_message_id varchar, parent_id uuid, created_at timestamptz, title varchar)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
    v_title varchar;
    v_parent uuid := p_parent;
BEGIN
    SELECT s.message_count, s.title INTO v_count, v_title
    FROM sessions s WHERE s.id = p_session AND s.user_id = p_user AND NOT s.retiring
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT -1, NULL::uuid, NULL::uuid, NULL::bigint, NULL::varchar, NULL::text, NULL::text,
                            NULL::varchar, NULL::uuid, NULL::timestamptz, NULL::varchar;
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
    IF v_parent IS NULL THEN
        SELECT m.id INTO v_parent FROM messages m WHERE m.session_id = p_session ORDER BY m.seq DESC LIMIT 1;
    END IF;
    UPDATE sessions s SET message_count = v_count + 1, last_message_at = p_now, last_activity_at = p_now,
                          updated_at = p_now, title = COALESCE(s.title, p_title)
    WHERE s.id = p_session;
    RETURN QUERY
        INSERT INTO messages AS m (id, session_id, seq, role, content, client_message_id, parent_id, answer_id,
                                   created_at)
        VALUES (p_id, p_session, v_count + 1, 'user', p_content, p_client_message_id, v_parent, p_answer, p_now)
        RETURNING 0, m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id,
                  m.parent_id, m.created_at, v_title;
    RETURN QUERY
        SELECT 1, t.*, NULL::varchar FROM context_tail(p_session, v_count + 1, p_budget) t;
END
$$;

-- A turn's answer written in one round trip (PUT /api/sessions/{id}/answers/{answer_id}, AnswerService). Before,
-- the first write took four: the growing UPDATE (no row yet), then a transaction of the session's lock, the insert
-- and the commit. Called in auto-commit, the function is one statement and one transaction.
-- part: 0 = grown (or final already: returned as stored), 1 = created, -1 = no such session of the user (or
-- retiring), -2 = the answer id names a message that is not an answer of this session.
CREATE FUNCTION write_answer(p_answer uuid, p_session uuid, p_user uuid, p_content text, p_metadata text,
                             p_finish varchar, p_now timestamptz)
RETURNS TABLE (part int, id uuid, session_id uuid, seq bigint, role varchar, content text, metadata text,
               client_message_id varchar, parent_id uuid, version int, versions int, created_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
    v_user_message uuid;
    v_session uuid;
    v_role varchar;
BEGIN
    -- a growing answer: no session lock (its seq is taken)
    RETURN QUERY
        UPDATE messages AS m SET content = p_content, metadata = p_metadata::jsonb, finish_reason = p_finish
        WHERE m.id = p_answer AND m.session_id = p_session AND m.role = 'assistant' AND m.finish_reason IS NULL
          AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = m.session_id AND s.user_id = p_user AND NOT s.retiring)
        RETURNING 0, m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id,
                  m.parent_id, m.version, m.versions, m.created_at;
    IF FOUND THEN
        RETURN;
    END IF;
    -- the first write, or one after the final write: under the session's row lock
    SELECT s.message_count INTO v_count
    FROM sessions s WHERE s.id = p_session AND s.user_id = p_user AND NOT s.retiring
    FOR UPDATE;
    IF NOT FOUND THEN
        part := -1;
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT m.session_id, m.role INTO v_session, v_role FROM messages m WHERE m.id = p_answer;
    IF FOUND THEN
        IF v_session <> p_session OR v_role <> 'assistant' THEN
            part := -2;
            RETURN NEXT;
            RETURN;
        END IF;
        -- created by a concurrent write meanwhile (grown now), or final already (it stays as stored)
        RETURN QUERY
            UPDATE messages AS m SET content = p_content, metadata = p_metadata::jsonb, finish_reason = p_finish
            WHERE m.id = p_answer AND m.finish_reason IS NULL
            RETURNING 0, m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id,
                      m.parent_id, m.version, m.versions, m.created_at;
        IF NOT FOUND THEN
            RETURN QUERY
                SELECT 0, m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id,
                       m.parent_id, m.version, m.versions, m.created_at
                FROM messages m WHERE m.id = p_answer;
        END IF;
        RETURN;
    END IF;
    -- the session's next message, after the turn's user message; on the branch shown when that message is
    SELECT u.id INTO v_user_message FROM messages u WHERE u.session_id = p_session AND u.answer_id = p_answer;
    UPDATE sessions s SET message_count = v_count + 1, last_message_at = p_now, last_activity_at = p_now,
                          updated_at = p_now
    WHERE s.id = p_session;
    RETURN QUERY
        INSERT INTO messages AS m (id, session_id, seq, role, content, metadata, client_message_id, parent_id,
                                   answer_id, finish_reason, created_at, version_of, version, versions, active)
        SELECT p_answer, p_session, v_count + 1, 'assistant', p_content, p_metadata::jsonb, NULL, v_user_message,
               NULL, p_finish, p_now, NULL, 1, 1, COALESCE(u.active, true)
        FROM (SELECT 1) one LEFT JOIN messages u ON u.id = v_user_message
        RETURNING 1, m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id,
                  m.parent_id, m.version, m.versions, m.created_at;
END
$$;

-- The context tail in one backward range scan: the running sum of the estimates over the newest messages first,
-- cut where it passes the budget (the sum only grows: every message counts at least 4), instead of one index
-- descent per message (V5's recursive query). At most budget / 4 + 1 rows can fit, so the scan stops there.
-- Same result, about half the time for a context of 80 messages (psql, the chat-ttft benchmark's sessions).
CREATE OR REPLACE FUNCTION context_tail(p_session uuid, p_before bigint, p_budget int)
RETURNS TABLE (id uuid, session_id uuid, seq bigint, role varchar, content text, metadata text,
               client_message_id varchar, parent_id uuid, version int, versions int, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT t.id, t.session_id, t.seq, t.role, t.content, t.metadata::text, t.client_message_id, t.parent_id,
           t.version, t.versions, t.created_at
    FROM (
        SELECT r.*, sum((char_length(r.content) + 3) / 4 + 4) OVER (ORDER BY r.seq DESC ROWS UNBOUNDED PRECEDING) AS total
        FROM (SELECT m.id, m.session_id, m.seq, m.role, m.content, m.metadata, m.client_message_id, m.parent_id,
                     m.version, m.versions, m.created_at
              FROM messages m WHERE m.session_id = p_session AND m.seq < p_before AND m.active
              ORDER BY m.seq DESC LIMIT p_budget / 4 + 1) r
    ) t
    WHERE t.total <= p_budget
    ORDER BY t.seq
$$;

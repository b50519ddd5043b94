-- Turns (POST /api/sessions/{id}/turns, PUT /api/sessions/{id}/answers/{answer_id}) and the message tree.
-- Nullable columns without defaults: metadata-only changes, no table rewrite.

-- The message this one follows: for a user message the given parent or the session's previous
-- message, for an answer its user message. NULL for the first message and for rows older than this
-- column. No foreign key: retention deletes a session's messages in batches in any order, and the
-- parent is checked (same session) by the service.
ALTER TABLE messages ADD COLUMN parent_id uuid;

-- On a user message that began a turn: the id chat-service gave its answer, so a replay of the turn
-- returns the same answer id. Unique: an answer id belongs to one turn.
ALTER TABLE messages ADD COLUMN answer_id uuid;
CREATE UNIQUE INDEX messages_answer_id_uq ON messages (answer_id) WHERE answer_id IS NOT NULL;

-- On an answer: why it ended; NULL while it is still growing. Once set, the answer is final.
ALTER TABLE messages ADD COLUMN finish_reason varchar(16)
    CHECK (finish_reason IN ('stop', 'length', 'cancelled', 'error', 'tool_calls'));

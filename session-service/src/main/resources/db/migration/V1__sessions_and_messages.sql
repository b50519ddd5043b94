-- Sessions: one row per conversation, owned by one user (the JWT sub).
CREATE TABLE sessions (
    id               uuid         PRIMARY KEY,
    user_id          uuid         NOT NULL,
    title            varchar(200),
    created_at       timestamptz  NOT NULL,
    updated_at       timestamptz  NOT NULL,
    last_message_at  timestamptz,
    -- newest of created_at / last_message_at: the list order and the retention clock
    last_activity_at timestamptz  NOT NULL,
    -- doubles as the per-session seq counter (row-locked on append)
    message_count    bigint       NOT NULL DEFAULT 0
);

-- list: WHERE user_id = ? AND (last_activity_at, id) < (?, ?) ORDER BY last_activity_at DESC, id DESC
CREATE INDEX sessions_user_activity_idx ON sessions (user_id, last_activity_at DESC, id DESC);
-- retention: WHERE last_activity_at < cutoff
CREATE INDEX sessions_activity_idx ON sessions (last_activity_at);

CREATE TABLE messages (
    id                uuid         PRIMARY KEY,
    session_id        uuid         NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq               bigint       NOT NULL,
    role              varchar(16)  NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content           text         NOT NULL,
    metadata          jsonb,
    client_message_id varchar(128),
    created_at        timestamptz  NOT NULL,
    search_vector     tsvector     GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    -- history: WHERE session_id = ? AND seq > ? ORDER BY seq; also the gap-free/no-duplicate guarantee
    CONSTRAINT messages_session_seq_uq UNIQUE (session_id, seq)
);

-- idempotent append
CREATE UNIQUE INDEX messages_session_client_id_uq ON messages (session_id, client_message_id)
    WHERE client_message_id IS NOT NULL;
-- full-text search
CREATE INDEX messages_search_idx ON messages USING GIN (search_vector);

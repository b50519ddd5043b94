-- Users: one row per verified mailbox; the address is unique regardless of case.
create table users (
    id            uuid primary key,
    email         varchar(254) not null,
    created_at    timestamptz not null,
    last_login_at timestamptz
);
create unique index users_email_lower_key on users (lower(email));

-- One refresh family per login (a signed-in device); revoking a family deletes it and its tokens.
create table refresh_families (
    id           uuid primary key,
    user_id      uuid not null references users (id) on delete cascade,
    created_at   timestamptz not null,
    last_used_at timestamptz not null,
    expires_at   timestamptz not null,
    user_agent   varchar(512)
);
create index refresh_families_user_idx on refresh_families (user_id);

-- Refresh tokens are stored only as SHA-256 hashes; rotated_at marks a token that was already exchanged.
create table refresh_tokens (
    token_hash bytea primary key,
    family_id  uuid not null references refresh_families (id) on delete cascade,
    created_at timestamptz not null,
    rotated_at timestamptz
);
create index refresh_tokens_family_idx on refresh_tokens (family_id);

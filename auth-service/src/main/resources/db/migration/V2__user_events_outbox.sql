-- Transactional outbox for platform:user-events: a row is written in the transaction that changes the
-- account and deleted only after its XADD succeeded, so a Redis failure delays an event but never loses it.
create table user_events_outbox (
    id          bigint generated always as identity primary key,
    type        varchar(64) not null,
    user_id     uuid not null,
    occurred_at timestamptz not null
);

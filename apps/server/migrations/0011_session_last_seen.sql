-- Sessions end after a while unused (issue 11): a session not seen for SESSION_IDLE (auth/sessions.ts) is over,
-- whatever its expiry. Existing sessions count as seen now.
alter table sessions add column last_seen_at timestamptz not null default now();

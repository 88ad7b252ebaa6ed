-- Pairview's schema: people, interviews and everything around them, the message log (outbox and inbound
-- callbacks), sessions and OAuth states. graphile-worker keeps its own schema (`graphile_worker`), installed by
-- its own migrations at start. Keep to PostgreSQL 15 (the oldest server we run on). Every table has a comment
-- saying what a row is; the schema dump (apps/server/schema.sql) shows the result.

-- People come from the WeCom directory (user/list, change_contact callbacks). Everyone is an interviewer;
-- admins come from PAIRVIEW_ADMINS (configuration, not data), and admins grant the two roles stored here.
create table people (
  id uuid primary key default gen_random_uuid(),
  wecom_userid text not null unique,
  name text not null,
  english_name text,
  department_ids integer[] not null default '{}',
  active boolean not null default true,
  roles text[] not null default '{}' check (roles <@ array['recruiter', 'hiring_manager']::text[]),
  -- First `enter_agent` event seen: the welcome message is sent once per person.
  bot_welcomed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table people is 'A WeCom member known to Pairview (from the directory). Admins are configured, not stored.';

create table candidates (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  email text check (length(email) <= 320),
  phone text check (length(phone) <= 40),
  created_at timestamptz not null default now()
);
comment on table candidates is 'A person outside the company who is interviewed; joins rooms by link only.';

create table interviews (
  id uuid primary key default gen_random_uuid(),
  candidate_id uuid not null references candidates (id),
  position text not null check (length(position) between 1 and 200),
  starts_at timestamptz not null,
  duration_minutes integer not null check (duration_minutes between 5 and 480),
  status text not null default 'scheduled' check (status in ('scheduled', 'cancelled', 'completed')),
  recruiter_id uuid not null references people (id),
  hiring_manager_id uuid references people (id),
  -- Optimistic concurrency: every change names the version it read; a stale one is refused (HTTP 409).
  version integer not null default 1,
  cancelled_at timestamptz,
  cancel_reason text,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'cancelled') = (cancelled_at is not null)),
  check ((status = 'completed') = (completed_at is not null))
);
comment on table interviews is 'One scheduled interview of one candidate for one position.';
create index interviews_starts_at on interviews (starts_at);
create index interviews_candidate on interviews (candidate_id);

create table interview_interviewers (
  interview_id uuid not null references interviews (id) on delete cascade,
  person_id uuid not null references people (id),
  response text not null default 'pending' check (response in ('pending', 'accepted', 'declined')),
  responded_at timestamptz,
  -- The WeCom interview card sent to this interviewer: our task_id, and the response_code WeCom hands back with
  -- each button click, which the glue needs to update the card (wecom-protocol.md, template cards).
  card_task_id text,
  card_response_code text,
  added_at timestamptz not null default now(),
  -- Removed interviewers stay (their card must be updated); every query about the panel skips them.
  removed_at timestamptz,
  primary key (interview_id, person_id),
  check ((response = 'pending') = (responded_at is null))
);
comment on table interview_interviewers is 'Who interviews whom, and their answer to the invitation.';
create index interview_interviewers_person on interview_interviewers (person_id) where removed_at is null;
create unique index interview_interviewers_card_task on interview_interviewers (card_task_id) where card_task_id is not null;

create table rooms (
  id uuid primary key default gen_random_uuid(),
  interview_id uuid not null unique references interviews (id) on delete cascade,
  -- SHA-256 of the candidate link's token; the token itself is shown once, to the recruiter.
  candidate_token_hash bytea not null unique,
  -- The link dies at the latest here (re-planned with the interview), or earlier when the room ends.
  expires_at timestamptz not null,
  ended_at timestamptz,
  candidate_name text,
  candidate_joined_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table rooms is 'The interview room of an interview, and the candidate link into it.';

create table scorecards (
  id uuid primary key default gen_random_uuid(),
  interview_id uuid not null references interviews (id) on delete cascade,
  interviewer_id uuid not null references people (id),
  rating text not null check (rating in ('strong_no', 'no', 'yes', 'strong_yes')),
  -- [{ "skill": "problem solving", "note": "…" }, …]
  skill_notes jsonb not null default '[]' check (jsonb_typeof(skill_notes) = 'array'),
  summary text not null default '',
  submitted_at timestamptz not null default now(),
  unique (interview_id, interviewer_id)
);
comment on table scorecards is 'One interviewer''s submitted feedback on one interview. Peers see it after submitting theirs.';

create table decisions (
  id uuid primary key default gen_random_uuid(),
  interview_id uuid not null unique references interviews (id) on delete cascade,
  decision text not null check (decision in ('advance', 'another_round', 'reject')),
  decided_by uuid not null references people (id),
  decided_at timestamptz not null default now()
);
comment on table decisions is 'The hiring decision taken after an interview (from the web or the WeCom card); one per interview.';

-- The message log, outbound half. A row is a DOMAIN notification ("interview scheduled", recipients by person
-- id); the WeCom glue renders and sends it and records the outcome here. Written in the same transaction as the
-- domain change that causes it, together with the graphile-worker job that delivers it (job_key = id).
create table outbox (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  recipient_ids uuid[] not null,
  payload jsonb not null,
  interview_id uuid references interviews (id) on delete set null,
  status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed', 'dropped')),
  -- Set when the same notification must never be written twice (e.g. one reminder per interview and start time).
  dedupe_key text unique,
  attempts integer not null default 0,
  errcode integer,
  errmsg text,
  msgid text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  sent_at timestamptz
);
comment on table outbox is 'Every outbound message (a domain notification) with its delivery status, errcode and msgid.';
create index outbox_status_created on outbox (status, created_at desc);
create index outbox_created on outbox (created_at desc);
create index outbox_interview on outbox (interview_id) where interview_id is not null;
create index outbox_recipients on outbox using gin (recipient_ids);

-- The message log, inbound half: every callback WeCom delivered, deduplicated on WeCom's own key (MsgId, or
-- FromUserName+CreateTime for events; wecom-protocol.md, callbacks), handled later by a job.
create table inbound_callbacks (
  id uuid primary key default gen_random_uuid(),
  dedupe_key text not null unique,
  event_type text not null,
  raw jsonb not null,
  received_at timestamptz not null default now(),
  handled_at timestamptz,
  error text
);
comment on table inbound_callbacks is 'Every WeCom callback received (decrypted), deduplicated, and when it was handled.';
create index inbound_callbacks_received on inbound_callbacks (received_at desc);

create table sessions (
  -- SHA-256 of the session id in the cookie: a database leak does not hand out sessions.
  id_hash bytea primary key,
  person_id uuid not null references people (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  user_agent text
);
comment on table sessions is 'A signed-in browser of a member.';
create index sessions_person on sessions (person_id);
create index sessions_expires on sessions (expires_at);

create table oauth_states (
  state text primary key,
  purpose text not null check (purpose in ('sign_in', 'join')),
  redirect_to text not null default '/',
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
comment on table oauth_states is 'The per-request `state` of a WeCom OAuth sign-in; used once, before it expires.';

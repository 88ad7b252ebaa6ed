-- The interview room: the question bank, the room's live state, the collaborative documents (the pad and each
-- interviewer's notes) with every edit kept for playback, the code runs, and the integrity signals.

-- The question bank: written by recruiters and admins, chosen when scheduling. `guidance` is for the panel and
-- never leaves the server in an answer to a candidate.
create table questions (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 1 and 200),
  statement text not null default '' check (length(statement) <= 20000),
  difficulty text not null default 'medium' check (difficulty in ('easy', 'medium', 'hard')),
  tags text[] not null default '{}',
  -- { "<language id>": "<starter code>", … } (language ids as in the room, e.g. "python", "java").
  starter_code jsonb not null default '{}' check (jsonb_typeof(starter_code) = 'object'),
  guidance text not null default '' check (length(guidance) <= 20000),
  created_by uuid references people (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Archived questions stay for the interviews that used them; they are no longer offered when scheduling.
  archived_at timestamptz
);
comment on table questions is 'A question of the bank: statement, starter code per language, private guidance for interviewers.';

alter table interviews add column question_id uuid references questions (id);
create index interviews_question on interviews (question_id) where question_id is not null;

-- The room's live state. The collaboration server mirrors it into the room's control document, which every
-- client reads and none writes.
alter table rooms
  add column started_at timestamptz,
  add column started_by uuid references people (id),
  add column language text not null default 'javascript',
  -- The candidate may run code (interviewers always may while the room is open).
  add column candidate_can_run boolean not null default true;

-- A collaborative document (the pad `code:<interview>` or notes `notes:<interview>:<person>`): the last merged
-- state, and the last update row it includes. Loading applies the updates after it (updates are idempotent).
create table collab_documents (
  name text primary key check (name ~ '^(code|notes):[0-9a-f-]{36}(:[0-9a-f-]{36})?$'),
  interview_id uuid not null references interviews (id) on delete cascade,
  state bytea not null,
  through_update_id bigint not null default 0,
  updated_at timestamptz not null default now()
);
comment on table collab_documents is 'The merged Yjs state of one room document, written by the collaboration server.';

-- Every Yjs update a client sent (and the seed, as the first row), with who sent it and when: the playback.
create table collab_updates (
  id bigserial primary key,
  document text not null,
  interview_id uuid not null references interviews (id) on delete cascade,
  update bytea not null,
  author_kind text not null check (author_kind in ('member', 'candidate', 'system')),
  person_id uuid references people (id),
  author_name text not null,
  created_at timestamptz not null default now()
);
comment on table collab_updates is 'One edit (a Yjs update) of a room document, with its author and time: replayed by playback.';
create index collab_updates_document on collab_updates (document, id);

-- A program run in the room (in a browser or on the runner), its output as everyone saw it.
create table room_runs (
  id uuid primary key default gen_random_uuid(),
  interview_id uuid not null references interviews (id) on delete cascade,
  language text not null,
  code text not null,
  stdin text not null default '',
  output text not null default '',
  output_truncated boolean not null default false,
  exit_status text not null check (exit_status in ('ok', 'error', 'timeout', 'output_limit', 'unavailable')),
  duration_ms integer not null check (duration_ms >= 0),
  author_kind text not null check (author_kind in ('member', 'candidate')),
  person_id uuid references people (id),
  author_name text not null,
  created_at timestamptz not null default now()
);
comment on table room_runs is 'One run of the pad''s code in a room: language, code, stdin, output, exit status and duration.';
create index room_runs_interview on room_runs (interview_id, created_at);

-- Integrity signals: a large paste, or the candidate's tab hidden (with how long). Signals, not verdicts.
create table room_signals (
  id uuid primary key default gen_random_uuid(),
  interview_id uuid not null references interviews (id) on delete cascade,
  kind text not null check (kind in ('paste', 'focus_lost')),
  author_kind text not null check (author_kind in ('member', 'candidate')),
  person_id uuid references people (id),
  author_name text not null,
  -- paste: characters pasted; focus_lost: how long the tab was hidden.
  chars integer,
  duration_ms integer,
  created_at timestamptz not null default now()
);
comment on table room_signals is 'An integrity signal seen in a room (large paste, tab hidden): shown to the panel, never to the candidate.';
create index room_signals_interview on room_signals (interview_id, created_at);

-- Playback of a document, built from its updates and kept: opening a long interview's playback reads one row.
-- Rebuilt when updates past `through_update_id` exist.
create table collab_playbacks (
  document text primary key,
  interview_id uuid not null references interviews (id) on delete cascade,
  through_update_id bigint not null,
  timeline jsonb not null,
  built_at timestamptz not null default now()
);
comment on table collab_playbacks is 'The replay timeline of one room document, built from collab_updates up to through_update_id.';

-- Test cases of a question, and the room's test runs.
--
-- A case is stdin for the program and the stdout it must print: `[{ "name", "input", "expected", "hidden" }, …]`,
-- in the order the editor shows them. A hidden case is for the panel only: never in an answer to a candidate, nor
-- in a document the candidate's page opens (questions/room.ts candidateQuestion keeps the visible ones).
alter table questions
  add column test_cases jsonb not null default '[]' check (jsonb_typeof(test_cases) = 'array');

-- One press of "Run tests" in a room by a member of the panel: the code as it was, and each case's result (name,
-- hidden, input, expected, what the program printed, passed, status, time) as the panel saw it. The cases are
-- copied into the results, so a question edited later does not rewrite what a test run showed.
create table room_test_runs (
  id uuid primary key default gen_random_uuid(),
  interview_id uuid not null references interviews (id) on delete cascade,
  question_id uuid references questions (id),
  language text not null,
  code text not null,
  results jsonb not null check (jsonb_typeof(results) = 'array'),
  passed integer not null check (passed >= 0),
  total integer not null check (total >= passed),
  duration_ms integer not null check (duration_ms >= 0),
  person_id uuid references people (id),
  author_name text not null,
  created_at timestamptz not null default now()
);
comment on table room_test_runs is 'One run of a question''s test cases against the pad''s code in a room, with the result of each case: for the panel only.';
create index room_test_runs_interview on room_test_runs (interview_id, created_at);

/**
 * Kysely's view of the tables in migrations/ (one interface per table). Keep in step with the SQL: the schema
 * dump (apps/server/schema.sql) shows what the migrations really produce.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type StoredRole = 'recruiter' | 'hiring_manager';
export type InterviewStatus = 'scheduled' | 'cancelled' | 'completed';
export type InterviewerResponse = 'pending' | 'accepted' | 'declined';
export type Rating = 'strong_no' | 'no' | 'yes' | 'strong_yes';
export type DecisionValue = 'advance' | 'another_round' | 'reject';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'dropped';
export type OAuthPurpose = 'sign_in' | 'join';

export interface SkillNote {
  skill: string;
  note: string;
}

export interface PeopleTable {
  id: Generated<string>;
  wecom_userid: string;
  name: string;
  english_name: string | null;
  department_ids: ColumnType<number[], number[] | undefined, number[]>;
  active: Generated<boolean>;
  roles: ColumnType<StoredRole[], StoredRole[] | undefined, StoredRole[]>;
  bot_welcomed_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface CandidatesTable {
  id: Generated<string>;
  name: string;
  email: string | null;
  phone: string | null;
  created_at: DefaultedTimestamp;
}

export interface InterviewsTable {
  id: Generated<string>;
  candidate_id: string;
  position: string;
  starts_at: Timestamp;
  duration_minutes: number;
  status: ColumnType<InterviewStatus, InterviewStatus | undefined, InterviewStatus>;
  recruiter_id: string;
  hiring_manager_id: string | null;
  version: Generated<number>;
  cancelled_at: Timestamp | null;
  cancel_reason: string | null;
  completed_at: Timestamp | null;
  question_id: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface InterviewInterviewersTable {
  interview_id: string;
  person_id: string;
  response: ColumnType<InterviewerResponse, InterviewerResponse | undefined, InterviewerResponse>;
  responded_at: Timestamp | null;
  added_at: DefaultedTimestamp;
  removed_at: Timestamp | null;
}

export interface RoomsTable {
  id: Generated<string>;
  interview_id: string;
  candidate_token_hash: Buffer;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  candidate_name: string | null;
  candidate_joined_at: Timestamp | null;
  started_at: Timestamp | null;
  started_by: string | null;
  language: ColumnType<string, string | undefined, string>;
  candidate_can_run: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultedTimestamp;
  /** Bumped by every announced change (rooms/events.ts); bigint, read as a string by pg. */
  revision: ColumnType<string, never, never>;
}

export type Difficulty = 'easy' | 'medium' | 'hard';

export interface QuestionsTable {
  id: Generated<string>;
  title: string;
  statement: ColumnType<string, string | undefined, string>;
  difficulty: ColumnType<Difficulty, Difficulty | undefined, Difficulty>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** { language id: starter code } */
  starter_code: ColumnType<Record<string, string>, string | undefined, string>;
  guidance: ColumnType<string, string | undefined, string>;
  /** The test cases, in order (migration 0008); hidden ones never reach a candidate. */
  test_cases: ColumnType<TestCase[], string | undefined, string>;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  archived_at: Timestamp | null;
}

/** One test case of a question: stdin for the program and the stdout it must print. */
export interface TestCase {
  name: string;
  input: string;
  expected: string;
  /** For the panel only: never sent to the candidate. */
  hidden: boolean;
}

export type AuthorKind = 'member' | 'candidate';
export type RunExitStatus = 'ok' | 'error' | 'timeout' | 'output_limit' | 'unavailable';
export type SignalKind = 'paste' | 'focus_lost';

export interface CollabDocumentsTable {
  name: string;
  interview_id: string;
  state: Buffer;
  through_update_id: ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
  updated_at: DefaultedTimestamp;
}

export interface CollabUpdatesTable {
  id: ColumnType<string, never, never>;
  document: string;
  interview_id: string;
  update: Buffer;
  author_kind: AuthorKind | 'system';
  person_id: string | null;
  author_name: string;
  created_at: DefaultedTimestamp;
}

export interface CollabPlaybacksTable {
  document: string;
  interview_id: string;
  through_update_id: ColumnType<string, string | number | bigint, string | number | bigint>;
  timeline: ColumnType<unknown, string, string>;
  built_at: DefaultedTimestamp;
}

export interface RoomRunsTable {
  id: Generated<string>;
  interview_id: string;
  language: string;
  code: string;
  stdin: ColumnType<string, string | undefined, string>;
  output: ColumnType<string, string | undefined, string>;
  output_truncated: ColumnType<boolean, boolean | undefined, boolean>;
  exit_status: RunExitStatus;
  duration_ms: number;
  author_kind: AuthorKind;
  person_id: string | null;
  author_name: string;
  created_at: DefaultedTimestamp;
}

/** How one case of a test run ended: a run's status, or not run at all (the test run's time was spent). */
export type TestCaseStatus = RunExitStatus | 'skipped';

/** One case's result in a test run, as the panel saw it (room_test_runs.results). */
export interface TestCaseResult {
  name: string;
  hidden: boolean;
  input: string;
  expected: string;
  /** What the program printed on stdout (cut at the display cap). */
  actual: string;
  /** True when input, expected or actual were cut for display. */
  truncated: boolean;
  passed: boolean;
  status: TestCaseStatus;
  /** Which stage failed when the program did not end well (a compile error fails every case). */
  failedStage: 'compile' | 'run' | null;
  /** The runner's word when the case did not end well ("Time limit exceeded", compile errors' stage), or null. */
  message: string | null;
  /** Compile errors or stderr, when the program did not end with status ok (cut at the display cap); else ''. */
  errorOutput: string;
  durationMs: number;
}

export interface RoomTestRunsTable {
  id: Generated<string>;
  interview_id: string;
  question_id: string | null;
  language: string;
  code: string;
  results: ColumnType<TestCaseResult[], string, string>;
  passed: number;
  total: number;
  duration_ms: number;
  person_id: string | null;
  author_name: string;
  created_at: DefaultedTimestamp;
}

export interface RoomSignalsTable {
  id: Generated<string>;
  interview_id: string;
  kind: SignalKind;
  author_kind: AuthorKind;
  person_id: string | null;
  author_name: string;
  chars: number | null;
  duration_ms: number | null;
  created_at: DefaultedTimestamp;
}

export interface ScorecardsTable {
  id: Generated<string>;
  interview_id: string;
  interviewer_id: string;
  rating: Rating;
  skill_notes: ColumnType<SkillNote[], string | undefined, string>;
  summary: ColumnType<string, string | undefined, string>;
  submitted_at: DefaultedTimestamp;
}

export interface DecisionsTable {
  id: Generated<string>;
  interview_id: string;
  decision: DecisionValue;
  decided_by: string;
  decided_at: DefaultedTimestamp;
}

export interface OutboxTable {
  id: Generated<string>;
  kind: string;
  recipient_ids: string[];
  /** The domain notification (src/notifications/notification.ts), as JSON. */
  payload: ColumnType<unknown, string, string>;
  interview_id: string | null;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  dedupe_key: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  errcode: number | null;
  errmsg: string | null;
  msgid: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  last_attempt_at: Timestamp | null;
  sent_at: Timestamp | null;
}

export interface InboundCallbacksTable {
  id: Generated<string>;
  dedupe_key: string;
  event_type: string;
  raw: ColumnType<unknown, string, string>;
  received_at: DefaultedTimestamp;
  handled_at: Timestamp | null;
  error: string | null;
}

export interface SessionsTable {
  id_hash: Buffer;
  person_id: string;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
  user_agent: string | null;
  /** Last request with this session (at most SESSION_TOUCH_MS stale: auth/sessions.ts). */
  last_seen_at: DefaultedTimestamp;
}

export interface OAuthStatesTable {
  state: string;
  purpose: OAuthPurpose;
  redirect_to: ColumnType<string, string | undefined, string>;
  created_at: DefaultedTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  /** SHA-256 of the nonce in the starting browser's sign-in cookie (migration 0009). */
  browser_hash: Buffer | null;
}

export interface Database {
  people: PeopleTable;
  candidates: CandidatesTable;
  interviews: InterviewsTable;
  interview_interviewers: InterviewInterviewersTable;
  rooms: RoomsTable;
  scorecards: ScorecardsTable;
  decisions: DecisionsTable;
  outbox: OutboxTable;
  inbound_callbacks: InboundCallbacksTable;
  sessions: SessionsTable;
  oauth_states: OAuthStatesTable;
  questions: QuestionsTable;
  collab_documents: CollabDocumentsTable;
  collab_updates: CollabUpdatesTable;
  collab_playbacks: CollabPlaybacksTable;
  room_runs: RoomRunsTable;
  room_signals: RoomSignalsTable;
  room_test_runs: RoomTestRunsTable;
}

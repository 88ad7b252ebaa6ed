/**
 * The live state of a room as everyone in it sees it — waiting for the start, live, or ended — with the language
 * of the pad, whether the candidate may run code, and the last run's output. PostgreSQL holds it; the
 * collaboration server mirrors it into the room's control document, and the HTTP views return it.
 */
import type { Db } from '../db/pool.ts';
import type { AuthorKind, RunExitStatus } from '../db/schema.ts';

export type RoomPhase = 'waiting' | 'live' | 'ended';

export interface RunView {
  id: string;
  language: string;
  status: RunExitStatus;
  output: string;
  truncated: boolean;
  durationMs: number;
  authorKind: AuthorKind;
  authorName: string;
  at: string;
}

export interface RoomState {
  /** Grows with every announced change: of two states of the room, the one with the higher revision is newer. */
  revision: number;
  phase: RoomPhase;
  startedAt: string | null;
  endedAt: string | null;
  /** Ended because the interview was cancelled (not completed). */
  cancelled: boolean;
  language: string;
  candidateCanRun: boolean;
  lastRun: RunView | null;
  /** The interview's question (changeable until the start): pages load its statement again when it changes. */
  questionId: string | null;
}

/** A room is over once it ended, or its interview is no longer scheduled (completed or cancelled). */
export function roomClosed(room: { ended_at: Date | null; status: string }): boolean {
  return room.ended_at !== null || room.status !== 'scheduled';
}

export async function loadRoomState(db: Db, interviewId: string): Promise<RoomState | undefined> {
  const room = await db
    .selectFrom('rooms')
    .innerJoin('interviews', 'interviews.id', 'rooms.interview_id')
    .select(['rooms.revision', 'rooms.started_at', 'rooms.ended_at', 'rooms.language', 'rooms.candidate_can_run', 'interviews.status', 'interviews.question_id'])
    .where('rooms.interview_id', '=', interviewId)
    .executeTakeFirst();
  if (!room) return undefined;
  const run = await db
    .selectFrom('room_runs')
    .select(['id', 'language', 'exit_status', 'output', 'output_truncated', 'duration_ms', 'author_kind', 'author_name', 'created_at'])
    .where('interview_id', '=', interviewId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const ended = roomClosed(room);
  return {
    revision: Number(room.revision),
    phase: ended ? 'ended' : room.started_at ? 'live' : 'waiting',
    startedAt: room.started_at?.toISOString() ?? null,
    endedAt: room.ended_at?.toISOString() ?? null,
    cancelled: room.status === 'cancelled',
    language: room.language,
    candidateCanRun: room.candidate_can_run,
    lastRun: run ? runView(run) : null,
    questionId: room.question_id,
  };
}

export function runView(run: {
  id: string;
  language: string;
  exit_status: RunExitStatus;
  output: string;
  output_truncated: boolean;
  duration_ms: number;
  author_kind: AuthorKind;
  author_name: string;
  created_at: Date;
}): RunView {
  return {
    id: run.id,
    language: run.language,
    status: run.exit_status,
    output: run.output,
    truncated: run.output_truncated,
    durationMs: run.duration_ms,
    authorKind: run.author_kind,
    authorName: run.author_name,
    at: run.created_at.toISOString(),
  };
}

export interface SignalView {
  id: string;
  kind: 'paste' | 'focus_lost';
  authorName: string;
  chars: number | null;
  durationMs: number | null;
  at: string;
}

export async function loadSignals(db: Db, interviewId: string): Promise<SignalView[]> {
  const rows = await db
    .selectFrom('room_signals')
    .select(['id', 'kind', 'author_name', 'chars', 'duration_ms', 'created_at'])
    .where('interview_id', '=', interviewId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, authorName: r.author_name, chars: r.chars, durationMs: r.duration_ms, at: r.created_at.toISOString() }));
}

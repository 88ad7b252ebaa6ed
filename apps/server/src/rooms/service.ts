/**
 * What a candidate's link opens (the room page data, and joining it: interviewers hear about the first join), and
 * what happens in the room: the start, its settings, runs and integrity signals. Each change announces itself
 * (events.ts) so every open room page sees it at once.
 */
import type { Selectable, Transaction } from 'kysely';
import type { MemberPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { AuthorKind, Database, RoomsTable, RunExitStatus, SignalKind } from '../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '../errors.ts';
import { enqueueNotification } from '../notifications/outbox.ts';
import type { CodeRunner } from '../runner/service.ts';
import { announceRoomChange } from './events.ts';
import type { LanguageId } from './languages.ts';
import { roomClosed, runView, type RunView } from './state.ts';

type Room = Selectable<RoomsTable>;

/** Only what the candidate needs: no ids of people, no feedback, no contact details. */
export async function candidateRoomView(db: Db, room: Room) {
  const interview = await db
    .selectFrom('interviews')
    .innerJoin('candidates', 'candidates.id', 'interviews.candidate_id')
    .select(['interviews.position', 'interviews.starts_at', 'interviews.duration_minutes', 'interviews.status', 'candidates.name'])
    .where('interviews.id', '=', room.interview_id)
    .executeTakeFirstOrThrow();
  const interviewers = await db
    .selectFrom('interview_interviewers as ii')
    .innerJoin('people as p', 'p.id', 'ii.person_id')
    .select(['p.name', 'p.english_name'])
    .where('ii.interview_id', '=', room.interview_id)
    .where('ii.removed_at', 'is', null)
    .where('ii.response', '<>', 'declined')
    .orderBy('ii.added_at')
    .execute();
  return {
    position: interview.position,
    startsAt: interview.starts_at,
    durationMinutes: interview.duration_minutes,
    candidateName: room.candidate_name ?? interview.name,
    joinedAt: room.candidate_joined_at,
    interviewers: interviewers.map((i) => ({ name: i.name, englishName: i.english_name })),
  };
}

/** The candidate enters with a name. The first entry tells the interviewers; later ones only update the name. */
export async function candidateJoin(db: Db, clock: Clock, room: Room, name: string): Promise<{ firstJoin: boolean }> {
  return db.transaction().execute(async (tx) => {
    const first = await tx
      .updateTable('rooms')
      .set({ candidate_name: name, candidate_joined_at: clock.now() })
      .where('id', '=', room.id)
      .where('candidate_joined_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!first) {
      await tx.updateTable('rooms').set({ candidate_name: name }).where('id', '=', room.id).execute();
      return { firstJoin: false };
    }
    const panel = await tx
      .selectFrom('interview_interviewers')
      .select('person_id')
      .where('interview_id', '=', room.interview_id)
      .where('removed_at', 'is', null)
      .where('response', '<>', 'declined')
      .execute();
    await enqueueNotification(tx, { kind: 'candidate_joined', interviewId: room.interview_id, recipients: panel.map((p) => p.person_id) });
    return { firstJoin: true };
  });
}

/** The author of a room action: a signed-in member, or the candidate (by the name they entered). */
export interface RoomActor {
  kind: AuthorKind;
  personId: string | null;
  name: string;
}

export function memberActor(member: MemberPrincipal): RoomActor {
  return { kind: 'member', personId: member.person.id, name: member.person.name };
}

export async function candidateActor(db: Db, room: Room): Promise<RoomActor> {
  if (room.candidate_name) return { kind: 'candidate', personId: null, name: room.candidate_name };
  const row = await db
    .selectFrom('interviews')
    .innerJoin('candidates', 'candidates.id', 'interviews.candidate_id')
    .select('candidates.name')
    .where('interviews.id', '=', room.interview_id)
    .executeTakeFirstOrThrow();
  return { kind: 'candidate', personId: null, name: row.name };
}

/** Locks the room row (and reads the interview's status) for a change. */
async function lockRoom(tx: Transaction<Database>, interviewId: string) {
  const room = await tx
    .selectFrom('rooms')
    .innerJoin('interviews', 'interviews.id', 'rooms.interview_id')
    .selectAll('rooms')
    .select('interviews.status')
    .where('rooms.interview_id', '=', interviewId)
    .forUpdate('rooms')
    .executeTakeFirst();
  if (!room) throw roomNotOpen(interviewId);
  if (roomClosed(room)) throw roomEnded();
  return room;
}

/** "Start interview": the candidate leaves the lobby, the timer starts. Starting twice changes nothing. */
export async function startRoom(db: Db, clock: Clock, interviewId: string, by: MemberPrincipal): Promise<{ startedAt: Date }> {
  return db.transaction().execute(async (tx) => {
    const room = await lockRoom(tx, interviewId);
    if (room.started_at) return { startedAt: room.started_at };
    const now = clock.now();
    await tx.updateTable('rooms').set({ started_at: now, started_by: by.person.id }).where('id', '=', room.id).execute();
    await announceRoomChange(tx, interviewId);
    return { startedAt: now };
  });
}

export interface RoomSettings {
  language?: LanguageId | undefined;
  candidateCanRun?: boolean | undefined;
}

/** Changes the pad's language or the candidate's run switch; returns the language before the change. */
export async function updateRoomSettings(db: Db, interviewId: string, settings: RoomSettings): Promise<{ previousLanguage: string; language: string }> {
  return db.transaction().execute(async (tx) => {
    const room = await lockRoom(tx, interviewId);
    const language = settings.language ?? room.language;
    await tx
      .updateTable('rooms')
      .set({ language, candidate_can_run: settings.candidateCanRun ?? room.candidate_can_run })
      .where('id', '=', room.id)
      .execute();
    await announceRoomChange(tx, interviewId);
    return { previousLanguage: room.language, language };
  });
}

export interface RunRecord {
  language: LanguageId;
  code: string;
  stdin: string;
  output: string;
  truncated: boolean;
  status: RunExitStatus;
  durationMs: number;
}

/**
 * A run's result, as the person who ran it saw it: stored, and shown to everyone in the room. Only while the
 * interview runs; the candidate only while the interviewers let them run code.
 */
export async function recordRun(db: Db, clock: Clock, interviewId: string, actor: RoomActor, run: RunRecord): Promise<RunView> {
  return db.transaction().execute(async (tx) => {
    const room = await lockRoom(tx, interviewId);
    requireRunAllowed(room, actor);
    const row = await tx
      .insertInto('room_runs')
      .values({
        interview_id: interviewId,
        language: run.language,
        code: run.code,
        stdin: run.stdin,
        output: run.output,
        output_truncated: run.truncated,
        exit_status: run.status,
        duration_ms: run.durationMs,
        author_kind: actor.kind,
        person_id: actor.personId,
        author_name: actor.name,
        created_at: clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await announceRoomChange(tx, interviewId);
    return runView(row);
  });
}

/**
 * A run on the server's code runner: checked like a recorded run before it is queued (so a refused run costs
 * nothing), and checked again when its result is recorded (the room may have ended meanwhile).
 */
export async function runOnServer(
  db: Db,
  clock: Clock,
  runner: CodeRunner | undefined,
  interviewId: string,
  actor: RoomActor,
  job: { language: LanguageId; code: string; stdin: string },
): Promise<RunView> {
  await db.transaction().execute(async (tx) => requireRunAllowed(await lockRoom(tx, interviewId), actor));
  if (!runner) throw noRunner();
  const outcome = await runner.run({ interviewId, ...job });
  return recordRun(db, clock, interviewId, actor, {
    ...job,
    output: outcome.output,
    truncated: outcome.truncated,
    status: outcome.status,
    durationMs: outcome.durationMs,
  });
}

/** Only while the interview runs; the candidate only while the interviewers let them run code. */
function requireRunAllowed(room: Room, actor: RoomActor): void {
  if (!room.started_at) throw roomNotStarted();
  if (actor.kind === 'candidate' && !room.candidate_can_run) {
    throw new ForbiddenError({
      code: 'running_disabled',
      en: 'The interviewers have switched running code off for now',
      zh: '面试官暂时关闭了运行代码。',
    });
  }
}

function noRunner(): ServiceUnavailableError {
  return new ServiceUnavailableError({
    code: 'runner_off',
    en: 'This Pairview runs no code on the server: an administrator can install bubblewrap (apt-get install bubblewrap) or set PAIRVIEW_RUNNER_URL',
    zh: '此 Pairview 未启用服务器端运行代码：管理员可安装 bubblewrap（apt-get install bubblewrap）或设置 PAIRVIEW_RUNNER_URL。',
  });
}

export interface SignalRecord {
  kind: SignalKind;
  chars?: number | undefined;
  durationMs?: number | undefined;
}

/** An integrity signal from the candidate's page (a large paste, the tab hidden): kept and shown to the panel. */
export async function recordSignal(db: Db, clock: Clock, interviewId: string, actor: RoomActor, signal: SignalRecord): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const room = await lockRoom(tx, interviewId);
    if (!room.started_at) throw roomNotStarted();
    await tx
      .insertInto('room_signals')
      .values({
        interview_id: interviewId,
        kind: signal.kind,
        author_kind: actor.kind,
        person_id: actor.personId,
        author_name: actor.name,
        chars: signal.chars ?? null,
        duration_ms: signal.durationMs ?? null,
        // A hidden tab is reported when it comes back: the signal is dated from when it was hidden.
        created_at: new Date(clock.now().getTime() - (signal.kind === 'focus_lost' ? (signal.durationMs ?? 0) : 0)),
      })
      .execute();
    await announceRoomChange(tx, interviewId);
  });
}

export async function listRuns(db: Db, interviewId: string): Promise<RunView[]> {
  const rows = await db.selectFrom('room_runs').selectAll().where('interview_id', '=', interviewId).orderBy('created_at').orderBy('id').execute();
  return rows.map(runView);
}

export function roomNotOpen(interviewId: string) {
  return new NotFoundError({
    code: 'room_not_found',
    en: `Interview ${interviewId} has no room`,
    zh: '这场面试没有面试间。',
  });
}

function roomEnded() {
  return new ConflictError({
    code: 'room_ended',
    en: 'This interview has ended (or was cancelled): the room is closed',
    zh: '这场面试已结束（或已取消），面试间已关闭。',
  });
}

function roomNotStarted() {
  return new ConflictError({
    code: 'room_not_started',
    en: 'The interview has not started yet: an interviewer starts it with "Start interview"',
    zh: '面试还没有开始：面试官点击“开始面试”后才能进行。',
  });
}

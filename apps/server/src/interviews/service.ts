/**
 * Scheduling: create, edit, reschedule, cancel, end an interview, and the interviewers' answers. Each function
 * is one transaction that changes the interview, writes the notifications it causes to the outbox, and
 * re-plans the interview's scheduled jobs, so either all of it happens or none of it.
 *
 * Follow "interview scheduled": routes.ts → createInterview → enqueueNotification (notifications/outbox.ts) →
 * deliver_notification job (notifications/tasks.ts) → Notifier (the WeCom glue) → WeCom.
 */
import type { Selectable, Transaction } from 'kysely';
import type { MemberPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { Database, InterviewerResponse, InterviewsTable } from '../db/schema.ts';
import { ConflictError, InvalidRequestError, bodyField, type Bilingual } from '../errors.ts';
import { enqueueNotification } from '../notifications/outbox.ts';
import { interviewJobKey, planFeedbackChaser, planInterviewJobs, removeJob, unplanInterviewJobs } from '../notifications/schedule.ts';
import { requireActivePeople } from '../people/people.ts';
import { requireOfferableQuestion, requireQuestionChangeable } from '../questions/service.ts';
import { announceRoomChange } from '../rooms/events.ts';
import { planPlaybackBuild } from '../rooms/tasks.ts';
import { createRoom, linkExpiry } from '../rooms/links.ts';
import { STATUS_ZH, interviewNotFound, interviewNotStarted, notOnPanel } from './errors.ts';

export interface DomainContext {
  db: Db;
  clock: Clock;
}

export const MAX_INTERVIEWERS = 10;

export interface CandidateInput {
  name: string;
  email?: string | null | undefined;
  phone?: string | null | undefined;
}

export interface NewInterview {
  candidate: CandidateInput;
  position: string;
  startsAt: Date;
  durationMinutes: number;
  interviewerIds: string[];
  hiringManagerId?: string | null | undefined;
  /** From the question bank (questions/); archived questions are not offered. */
  questionId?: string | null | undefined;
}

type InterviewRow = Selectable<InterviewsTable>;

function requireFuture(startsAt: Date, clock: Clock): void {
  if (startsAt.getTime() <= clock.now().getTime()) {
    throw new InvalidRequestError({
      code: 'start_in_past',
      en: `startsAt ${startsAt.toISOString()} is in the past: pick a start time in the future`,
      zh: '开始时间已经过去了，请选择将来的时间。',
      fields: [
        bodyField('startsAt', 'start_in_past', { en: 'This time is in the past: pick a start time in the future', zh: '这个时间已经过去了，请选择将来的时间。' }),
      ],
    });
  }
}

function checkPanel(interviewerIds: readonly string[]): string[] {
  const unique = [...new Set(interviewerIds)];
  const refuse = (code: string, field: Bilingual) =>
    new InvalidRequestError({ code, en: `interviewerIds: ${field.en.charAt(0).toLowerCase()}${field.en.slice(1)}`, zh: `面试官：${field.zh}`, fields: [bodyField('interviewerIds', code, field)] });
  if (unique.length === 0) throw refuse('panel_empty', { en: 'Pick at least one interviewer', zh: '请至少选择一位面试官。' });
  if (unique.length > MAX_INTERVIEWERS) {
    throw refuse('panel_too_large', { en: `At most ${MAX_INTERVIEWERS} interviewers`, zh: `最多 ${MAX_INTERVIEWERS} 位面试官。` });
  }
  return unique;
}

async function checkHiringManager(db: Db, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const [person] = await requireActivePeople(db, [id], 'hiringManagerId');
  if (!person!.roles.includes('hiring_manager')) {
    const field = {
      en: `${person!.name} is not a hiring manager; an admin grants that role on the people page`,
      zh: `${person!.name} 不是用人经理；管理员可以在“人员与角色”页面授予该角色。`,
    };
    throw new InvalidRequestError({
      code: 'not_a_hiring_manager',
      en: `hiringManagerId: ${field.en}`,
      zh: `用人经理：${field.zh}`,
      fields: [bodyField('hiringManagerId', 'not_a_hiring_manager', field)],
    });
  }
}

/** Locks the interview row for this transaction and checks the version the caller read. */
async function lockInterview(tx: Transaction<Database>, id: string, version: number | undefined): Promise<InterviewRow> {
  const row = await tx.selectFrom('interviews').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw interviewNotFound(id);
  if (version !== undefined && row.version !== version) {
    throw new ConflictError({
      code: 'version_conflict',
      en: `This interview was changed by someone else (you had version ${version}, it is now ${row.version}): reload it and make your change again`,
      zh: `这场面试刚被其他人修改过（你看到的是第 ${version} 版，现在是第 ${row.version} 版）：请刷新后重新修改。`,
    });
  }
  return row;
}

/** What was being done, for the refusal: `edited` / 修改, … */
type Action = Bilingual;
const ACTIONS = {
  edit: { en: 'edited', zh: '修改' },
  reschedule: { en: 'rescheduled', zh: '改期' },
  cancel: { en: 'cancelled', zh: '取消' },
  end: { en: 'ended', zh: '结束' },
  answer: { en: 'answered', zh: '回复' },
} satisfies Record<string, Action>;

function requireScheduled(row: InterviewRow, action: Action): void {
  if (row.status !== 'scheduled') {
    throw new ConflictError({
      code: 'interview_not_scheduled',
      en: `This interview is ${row.status}; it cannot be ${action.en}`,
      zh: `这场面试${STATUS_ZH[row.status]}，不能再${action.zh}。`,
    });
  }
}

/** Non-removed interviewers of an interview, optionally only those who have not declined. */
async function panel(tx: Db, interviewId: string, options: { withoutDeclined?: boolean } = {}): Promise<string[]> {
  let query = tx
    .selectFrom('interview_interviewers')
    .select('person_id')
    .where('interview_id', '=', interviewId)
    .where('removed_at', 'is', null);
  if (options.withoutDeclined) query = query.where('response', '<>', 'declined');
  return (await query.execute()).map((r) => r.person_id);
}

export async function createInterview(
  { db, clock }: DomainContext,
  actor: MemberPrincipal,
  input: NewInterview,
): Promise<{ interviewId: string; candidateLinkToken: string }> {
  requireFuture(input.startsAt, clock);
  const interviewerIds = checkPanel(input.interviewerIds);
  await requireActivePeople(db, interviewerIds, 'interviewerIds');
  await checkHiringManager(db, input.hiringManagerId);
  if (input.questionId) await requireOfferableQuestion(db, input.questionId);
  const now = clock.now();

  return db.transaction().execute(async (tx) => {
    const candidate = await tx
      .insertInto('candidates')
      .values({ name: input.candidate.name, email: input.candidate.email ?? null, phone: input.candidate.phone ?? null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const interview = await tx
      .insertInto('interviews')
      .values({
        candidate_id: candidate.id,
        position: input.position,
        starts_at: input.startsAt,
        duration_minutes: input.durationMinutes,
        recruiter_id: actor.person.id,
        hiring_manager_id: input.hiringManagerId ?? null,
        question_id: input.questionId ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('interview_interviewers')
      .values(interviewerIds.map((person_id) => ({ interview_id: interview.id, person_id, added_at: now })))
      .execute();
    const candidateLinkToken = await createRoom(tx, { id: interview.id, startsAt: input.startsAt, durationMinutes: input.durationMinutes });
    await planInterviewJobs(tx, { id: interview.id, startsAt: input.startsAt, durationMinutes: input.durationMinutes }, now);
    await enqueueNotification(tx, { kind: 'interview_scheduled', interviewId: interview.id, recipients: interviewerIds });
    return { interviewId: interview.id, candidateLinkToken };
  });
}

export interface InterviewEdit {
  version: number;
  position?: string | undefined;
  durationMinutes?: number | undefined;
  interviewerIds?: string[] | undefined;
  hiringManagerId?: string | null | undefined;
  candidate?: Partial<CandidateInput> | undefined;
  /** null: no question; changeable until the room starts. */
  questionId?: string | null | undefined;
}

/** Edits everything but the start time (that is `rescheduleInterview`). */
export async function updateInterview({ db, clock }: DomainContext, id: string, edit: InterviewEdit): Promise<void> {
  const newPanel = edit.interviewerIds ? checkPanel(edit.interviewerIds) : undefined;
  if (newPanel) await requireActivePeople(db, newPanel, 'interviewerIds');
  if (edit.hiringManagerId !== undefined) await checkHiringManager(db, edit.hiringManagerId);
  const now = clock.now();

  await db.transaction().execute(async (tx) => {
    const row = await lockInterview(tx, id, edit.version);
    requireScheduled(row, ACTIONS.edit);
    const questionId = edit.questionId === undefined ? row.question_id : edit.questionId;
    if (questionId !== row.question_id) {
      await requireQuestionChangeable(tx, id, questionId);
      await announceRoomChange(tx, id); // the room shows the new statement
    }
    const durationMinutes = edit.durationMinutes ?? row.duration_minutes;
    const detailsChanged =
      (edit.position !== undefined && edit.position !== row.position) ||
      durationMinutes !== row.duration_minutes ||
      (edit.hiringManagerId !== undefined && edit.hiringManagerId !== row.hiring_manager_id);

    await tx
      .updateTable('interviews')
      .set({
        position: edit.position ?? row.position,
        duration_minutes: durationMinutes,
        hiring_manager_id: edit.hiringManagerId === undefined ? row.hiring_manager_id : edit.hiringManagerId,
        question_id: questionId,
        version: row.version + 1,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();

    if (edit.candidate && Object.keys(edit.candidate).length > 0) {
      await tx
        .updateTable('candidates')
        .set({
          ...(edit.candidate.name !== undefined ? { name: edit.candidate.name } : {}),
          ...(edit.candidate.email !== undefined ? { email: edit.candidate.email } : {}),
          ...(edit.candidate.phone !== undefined ? { phone: edit.candidate.phone } : {}),
        })
        .where('id', '=', row.candidate_id)
        .execute();
    }

    if (durationMinutes !== row.duration_minutes) {
      await planInterviewJobs(tx, { id, startsAt: row.starts_at, durationMinutes }, now);
      await tx.updateTable('rooms').set({ expires_at: linkExpiry(row.starts_at, durationMinutes) }).where('interview_id', '=', id).execute();
    }

    const current = await panel(tx, id);
    let added: string[] = [];
    let removed: string[] = [];
    if (newPanel) {
      added = newPanel.filter((p) => !current.includes(p));
      removed = current.filter((p) => !newPanel.includes(p));
      if (removed.length > 0) {
        await tx
          .updateTable('interview_interviewers')
          .set({ removed_at: now })
          .where('interview_id', '=', id)
          .where('person_id', 'in', removed)
          .execute();
      }
      if (added.length > 0) {
        // Someone removed earlier and added back starts over with a pending answer.
        await tx
          .insertInto('interview_interviewers')
          .values(added.map((person_id) => ({ interview_id: id, person_id, added_at: now })))
          .onConflict((oc) =>
            oc.columns(['interview_id', 'person_id']).doUpdateSet({
              removed_at: null,
              response: 'pending',
              responded_at: null,
              added_at: now,
            }),
          )
          .execute();
      }
    }
    const stayed = current.filter((p) => !removed.includes(p));
    await enqueueNotification(tx, { kind: 'interview_scheduled', interviewId: id, recipients: added });
    await enqueueNotification(tx, { kind: 'interviewer_removed', interviewId: id, recipients: removed });
    if (detailsChanged) await enqueueNotification(tx, { kind: 'interview_updated', interviewId: id, recipients: stayed });
  });
}

/**
 * Moves the interview. Every interviewer's answer goes back to pending (they are asked again on the updated
 * card), and the reminder, candidate-late check and feedback chaser move with it.
 */
export async function rescheduleInterview(
  { db, clock }: DomainContext,
  id: string,
  change: { version: number; startsAt: Date; durationMinutes?: number | undefined },
): Promise<void> {
  requireFuture(change.startsAt, clock);
  const now = clock.now();
  await db.transaction().execute(async (tx) => {
    const row = await lockInterview(tx, id, change.version);
    requireScheduled(row, ACTIONS.reschedule);
    const durationMinutes = change.durationMinutes ?? row.duration_minutes;
    if (change.startsAt.getTime() === row.starts_at.getTime() && durationMinutes === row.duration_minutes) {
      throw new InvalidRequestError({
        code: 'nothing_to_reschedule',
        en: 'startsAt and durationMinutes are what the interview already has: nothing to reschedule',
        zh: '开始时间和时长都没有变化，无需改期。',
        fields: [bodyField('startsAt', 'nothing_to_reschedule', { en: 'This is the time the interview already has', zh: '面试已经是这个时间了。' })],
      });
    }
    await tx
      .updateTable('interviews')
      .set({ starts_at: change.startsAt, duration_minutes: durationMinutes, version: row.version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    await tx
      .updateTable('interview_interviewers')
      .set({ response: 'pending', responded_at: null })
      .where('interview_id', '=', id)
      .where('removed_at', 'is', null)
      .execute();
    await tx
      .updateTable('rooms')
      .set({ expires_at: linkExpiry(change.startsAt, durationMinutes) })
      .where('interview_id', '=', id)
      .execute();
    await planInterviewJobs(tx, { id, startsAt: change.startsAt, durationMinutes }, now);
    await announceRoomChange(tx, id); // the link's expiry moved
    await enqueueNotification(tx, {
      kind: 'interview_rescheduled',
      interviewId: id,
      previousStartsAt: row.starts_at.toISOString(),
      recipients: await panel(tx, id),
    });
  });
}

/** Cancels: the candidate link dies, nothing scheduled fires, interviewers are told. */
export async function cancelInterview(
  { db, clock }: DomainContext,
  id: string,
  change: { version: number; reason?: string | null | undefined },
): Promise<void> {
  const now = clock.now();
  await db.transaction().execute(async (tx) => {
    const row = await lockInterview(tx, id, change.version);
    requireScheduled(row, ACTIONS.cancel);
    await tx
      .updateTable('interviews')
      .set({ status: 'cancelled', cancelled_at: now, cancel_reason: change.reason ?? null, version: row.version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    await tx.updateTable('rooms').set({ ended_at: now }).where('interview_id', '=', id).where('ended_at', 'is', null).execute();
    await announceRoomChange(tx, id);
    await unplanInterviewJobs(tx, id);
    await enqueueNotification(tx, {
      kind: 'interview_cancelled',
      interviewId: id,
      reason: change.reason ?? null,
      recipients: await panel(tx, id, { withoutDeclined: true }),
    });
  });
}

/**
 * "End interview" in the room: the interview is completed and the candidate link dies. The reminder and
 * candidate-late check are dropped; the feedback chaser is planned again from now.
 */
export async function completeInterview({ db, clock }: DomainContext, id: string): Promise<void> {
  const now = clock.now();
  await db.transaction().execute(async (tx) => {
    const row = await lockInterview(tx, id, undefined);
    if (row.status === 'completed') return;
    requireScheduled(row, ACTIONS.end);
    // Started early from the room ("Start interview"), it may also end early.
    const room = await tx.selectFrom('rooms').select('started_at').where('interview_id', '=', id).executeTakeFirst();
    if (row.starts_at > now && !room?.started_at) {
      throw interviewNotStarted('This interview has not started yet; it cannot be ended', '这场面试还没有开始，不能结束。');
    }
    await tx
      .updateTable('interviews')
      .set({ status: 'completed', completed_at: now, version: row.version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    await tx.updateTable('rooms').set({ ended_at: now }).where('interview_id', '=', id).where('ended_at', 'is', null).execute();
    // Locks the pad, closes the candidate's socket (the link is dead from now) and stops running, in every process.
    await announceRoomChange(tx, id);
    await removeJob(tx, interviewJobKey('interview_reminder', id));
    await removeJob(tx, interviewJobKey('candidate_late', id));
    // The feedback chaser counts from the real end, not the planned one.
    await planFeedbackChaser(tx, { id, startsAt: row.starts_at }, now);
    await planPlaybackBuild(tx, id, now);
  });
}

/**
 * An interviewer accepts or declines (from the web, or from the WeCom card through the glue). A decline is sent
 * to the recruiter; answering the same twice changes nothing and notifies nobody.
 */
export async function respondToInvitation(
  { db, clock }: DomainContext,
  id: string,
  personId: string,
  response: Exclude<InterviewerResponse, 'pending'>,
): Promise<{ changed: boolean }> {
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const row = await lockInterview(tx, id, undefined);
    requireScheduled(row, ACTIONS.answer);
    const seat = await tx
      .selectFrom('interview_interviewers')
      .select('response')
      .where('interview_id', '=', id)
      .where('person_id', '=', personId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!seat) throw notOnPanel();
    if (seat.response === response) return { changed: false };
    await tx
      .updateTable('interview_interviewers')
      .set({ response, responded_at: now })
      .where('interview_id', '=', id)
      .where('person_id', '=', personId)
      .execute();
    if (response === 'declined') {
      await enqueueNotification(tx, { kind: 'interviewer_declined', interviewId: id, interviewerId: personId, recipients: [row.recruiter_id] });
    } else if (response === 'accepted' && row.recruiter_id !== personId) {
      // The recruiter follows the answers in WeCom (product.md, "Who uses it"); their own answer needs no notice.
      await enqueueNotification(tx, { kind: 'interviewer_accepted', interviewId: id, interviewerId: personId, recipients: [row.recruiter_id] });
    }
    return { changed: true };
  });
}

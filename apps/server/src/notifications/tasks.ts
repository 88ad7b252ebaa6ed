/**
 * graphile-worker tasks: delivering outbox rows through the Notifier, and the scheduled checks that decide, when
 * their time comes, whether a reminder / candidate-late notice / feedback chaser / digest is still due. A
 * scheduled job re-reads the interview; if it moved or was cancelled since the job was planned, it does nothing.
 * Dedupe keys make each task safe to run twice (graphile-worker runs jobs at least once).
 */
import { sql, type Selectable } from 'kysely';
import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import { isWorkingDay, localDate, localDayBounds, localParts, nextWorkingDayAt } from '../time.ts';
import type { OutboxTable } from '../db/schema.ts';
import { batched } from './batch.ts';
import type { DomainNotification, NotificationKind } from './notification.ts';
import type { DeliveryOutcome, Notifier } from './notifier.ts';
import { DELIVER_TASK, addDeliveryJob, enqueueNotification, enqueueNotifications, type DeliverPayload } from './outbox.ts';
import {
  DIGEST_HOUR,
  DIGEST_TASK,
  FEEDBACK_MAX_ROUNDS,
  FEEDBACK_REPEAT_MS,
  addJob,
  interviewJobKey,
  type InterviewJobPayload,
} from './schedule.ts';

export interface TaskDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  /** Without a notifier the delivery task is not registered: outbox rows stay queued until one is configured. */
  notifier?: Notifier | undefined;
}

function errorDetails(error: unknown): { errcode: number | null; errmsg: string } {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return {
    errcode: typeof errcode === 'number' ? errcode : null,
    errmsg: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
  };
}

type OutboxRow = Selectable<OutboxTable>;

/** What a delivery ends in, for the outbox row (sent, failed for good, or nothing to send). */
interface Finished {
  id: string;
  status: 'sent' | 'failed' | 'dropped';
  msgid: string | null;
  errcode: number | null;
  errmsg: string | null;
}

/**
 * The delivery job's two writes to the outbox, shared by the jobs running at once (batch.ts): taking the row
 * ('sending', one more attempt) and recording the outcome. Under load one statement serves many messages.
 */
function outboxStatements(db: Db, clock: Clock) {
  // 'sending' is taken back too: a worker that died mid-send leaves it so, and the job comes back to us.
  const claim = batched<string, OutboxRow | undefined>(async (ids) => {
    const now = clock.now();
    const rows = await db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: sql`attempts + 1`, last_attempt_at: now, updated_at: now })
      .where('id', '=', sql<string>`any(${[...new Set(ids)]}::uuid[])`)
      .where('status', 'in', ['queued', 'sending'])
      .returningAll()
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  });
  const finish = batched<Finished, void>(async (items) => {
    const now = clock.now();
    // A row appears once per batch (one job per outbox row at a time); the last word wins if not.
    const last = [...new Map(items.map((i) => [i.id, i])).values()];
    await sql`
      update outbox as o set
        status = v.status,
        msgid = case when v.status = 'sent' then v.msgid else o.msgid end,
        errcode = case when v.status = 'dropped' then o.errcode else v.errcode end,
        errmsg = v.errmsg,
        sent_at = case when v.status = 'sent' then ${now}::timestamptz else o.sent_at end,
        updated_at = ${now}::timestamptz
      from unnest(${last.map((i) => i.id)}::uuid[], ${last.map((i) => i.status)}::text[], ${last.map((i) => i.msgid)}::text[],
                  ${last.map((i) => i.errcode)}::integer[], ${last.map((i) => i.errmsg)}::text[]) as v(id, status, msgid, errcode, errmsg)
      where o.id = v.id`.execute(db);
    return items.map(() => undefined);
  });
  return { claim, finish };
}

function deliverTask({ db, clock, notifier }: TaskDeps & { notifier: Notifier }): Task {
  const outbox = outboxStatements(db, clock);
  return async (payload, helpers: JobHelpers) => {
    const { outboxId } = payload as DeliverPayload;
    const row = await outbox.claim(outboxId);
    if (!row) return; // sent, failed or dropped already: a duplicate job, nothing to do

    let outcome: DeliveryOutcome;
    try {
      outcome = await notifier.deliver({
        outboxId: row.id,
        attempt: row.attempts,
        createdAt: row.created_at,
        notification: row.payload as DomainNotification,
      });
    } catch (error) {
      const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
      await db
        .updateTable('outbox')
        .set({ status: lastAttempt ? 'failed' : 'queued', ...errorDetails(error), updated_at: clock.now() })
        .where('id', '=', outboxId)
        .execute();
      if (lastAttempt) return; // recorded as failed; an admin can retry it from the message log
      throw error; // graphile-worker retries with backoff
    }

    switch (outcome.status) {
      case 'sent':
        await outbox.finish({ id: outboxId, status: 'sent', msgid: outcome.msgid ?? null, errcode: null, errmsg: null });
        return;
      case 'failed':
        await outbox.finish({ id: outboxId, status: 'failed', msgid: null, errcode: outcome.errcode ?? null, errmsg: outcome.errmsg });
        return;
      case 'dropped':
        await outbox.finish({ id: outboxId, status: 'dropped', msgid: null, errcode: null, errmsg: outcome.reason });
        return;
      case 'deferred': {
        // Not an attempt: the message waits for its quota. Same job key, so still one job per row; same priority.
        const now = clock.now();
        await db.transaction().execute(async (tx) => {
          await tx
            .updateTable('outbox')
            .set({ status: 'queued', attempts: sql`attempts - 1`, errmsg: outcome.reason, updated_at: now })
            .where('id', '=', outboxId)
            .execute();
          await addDeliveryJob(tx, outboxId, { kind: row.kind as NotificationKind, runAt: outcome.until });
        });
        return;
      }
    }
  };
}

/** The interview a scheduled job was planned for, if it still starts then and is not cancelled. */
async function plannedInterview(db: Db, payload: InterviewJobPayload) {
  const interview = await db.selectFrom('interviews').selectAll().where('id', '=', payload.interviewId).executeTakeFirst();
  if (!interview || interview.status === 'cancelled') return undefined;
  if (interview.starts_at.toISOString() !== payload.startsAt) return undefined; // moved: a newer job is planned
  return interview;
}

/** Who on the panel is still expected: not removed, not declined, still active in the directory. */
async function expectedPanel(db: Db, interviewId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('interview_interviewers as ii')
    .innerJoin('people as p', 'p.id', 'ii.person_id')
    .select('ii.person_id')
    .where('ii.interview_id', '=', interviewId)
    .where('ii.removed_at', 'is', null)
    .where('ii.response', '<>', 'declined')
    .where('p.active', '=', true)
    .orderBy('ii.added_at')
    .execute();
  return rows.map((r) => r.person_id);
}

function reminderTask({ db }: TaskDeps): Task {
  return async (payload) => {
    const job = payload as InterviewJobPayload;
    const interview = await plannedInterview(db, job);
    if (!interview || interview.status !== 'scheduled') return;
    const recipients = await expectedPanel(db, interview.id);
    await db.transaction().execute((tx) =>
      enqueueNotification(tx, { kind: 'interview_reminder', interviewId: interview.id, recipients }, {
        dedupeKey: `interview_reminder:${interview.id}:${job.startsAt}`,
      }),
    );
  };
}

function candidateLateTask({ db }: TaskDeps): Task {
  return async (payload) => {
    const job = payload as InterviewJobPayload;
    const interview = await plannedInterview(db, job);
    if (!interview || interview.status !== 'scheduled') return;
    const room = await db.selectFrom('rooms').select('candidate_joined_at').where('interview_id', '=', interview.id).executeTakeFirst();
    if (room?.candidate_joined_at) return;
    const recipients = [...(await expectedPanel(db, interview.id)), interview.recruiter_id];
    await db.transaction().execute((tx) =>
      enqueueNotification(tx, { kind: 'candidate_late', interviewId: interview.id, recipients }, {
        dedupeKey: `candidate_late:${interview.id}:${job.startsAt}`,
      }),
    );
  };
}

function feedbackChaserTask({ db }: TaskDeps): Task {
  return async (payload, helpers) => {
    const job = payload as InterviewJobPayload;
    const round = job.round ?? 1;
    const interview = await plannedInterview(db, job);
    if (!interview) return;
    const expected = await expectedPanel(db, interview.id);
    const submitted = await db.selectFrom('scorecards').select('interviewer_id').where('interview_id', '=', interview.id).execute();
    const missing = expected.filter((id) => !submitted.some((s) => s.interviewer_id === id));
    if (missing.length === 0) return;
    await db.transaction().execute(async (tx) => {
      for (const personId of missing) {
        await enqueueNotification(tx, { kind: 'feedback_reminder', interviewId: interview.id, round, recipients: [personId] }, {
          dedupeKey: `feedback_reminder:${interview.id}:${job.startsAt}:${round}:${personId}`,
        });
      }
      if (round < FEEDBACK_MAX_ROUNDS) {
        // Same hour the next day: from the planned run time, not from when this run happened to start.
        const next = new Date(new Date(helpers.job.run_at).getTime() + FEEDBACK_REPEAT_MS);
        await addJob(tx, 'feedback_chaser', { ...job, round: round + 1 }, { runAt: next, jobKey: interviewJobKey('feedback_chaser', interview.id) });
      }
    });
  };
}

function digestTask({ db, clock, timeZone }: TaskDeps): Task {
  return async () => {
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      if (isWorkingDay(localParts(now, timeZone).weekday)) {
        const { start, end } = localDayBounds(now, timeZone);
        const date = localDate(now, timeZone);
        const rows = await tx
          .selectFrom('interviews as i')
          .innerJoin('interview_interviewers as ii', 'ii.interview_id', 'i.id')
          .innerJoin('people as p', 'p.id', 'ii.person_id')
          .select(['ii.person_id', 'i.id'])
          .where('i.status', '=', 'scheduled')
          .where('i.starts_at', '>=', start)
          .where('i.starts_at', '<', end)
          .where('ii.removed_at', 'is', null)
          .where('ii.response', '<>', 'declined')
          .where('p.active', '=', true)
          .orderBy('i.starts_at')
          .execute();
        const byPerson = new Map<string, string[]>();
        for (const row of rows) byPerson.set(row.person_id, [...(byPerson.get(row.person_id) ?? []), row.id]);
        await enqueueNotifications(
          tx,
          [...byPerson].map(([personId, interviewIds]) => ({
            notification: { kind: 'daily_digest', date, interviewIds, recipients: [personId] },
            dedupeKey: `daily_digest:${date}:${personId}`,
          })),
        );
      }
      await planDigest(tx, nextWorkingDayAt(now, timeZone, DIGEST_HOUR), 'replace');
    });
  };
}

async function planDigest(tx: Parameters<typeof addJob>[0], runAt: Date, mode: 'replace' | 'preserve_run_at'): Promise<void> {
  await addJob(tx, DIGEST_TASK, {}, { runAt, jobKey: DIGEST_TASK, mode });
}

/** At worker start: make sure the next 09:00 digest is planned (an existing plan keeps its time). */
export async function ensureDigestPlanned(db: Db, clock: Clock, timeZone: string): Promise<void> {
  await db.transaction().execute((tx) => planDigest(tx, nextWorkingDayAt(clock.now(), timeZone, DIGEST_HOUR), 'preserve_run_at'));
}

export function notificationTasks(deps: TaskDeps): TaskList {
  const tasks: TaskList = {
    interview_reminder: reminderTask(deps),
    candidate_late: candidateLateTask(deps),
    feedback_chaser: feedbackChaserTask(deps),
    [DIGEST_TASK]: digestTask(deps),
  };
  if (deps.notifier) tasks[DELIVER_TASK] = deliverTask({ ...deps, notifier: deps.notifier });
  return tasks;
}

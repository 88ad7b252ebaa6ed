/**
 * The delivery pipeline and the scheduled notifications, run by the real graphile-worker (`runOnce`) against a
 * real database, with time moved rather than waited for: Date is faked, graphile-worker picks jobs by Node's
 * time (useNodeTime), and Pairview's clock reads the same Date.
 */
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMigratedDatabase, createPerson, queuedJobs, type MigratedTestDatabase } from '../../test/helpers.ts';
import type { MemberPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { cancelInterview, createInterview, rescheduleInterview, respondToInvitation } from '../interviews/service.ts';
import { candidateJoin } from '../rooms/service.ts';
import { submitScorecard } from '../scorecards/service.ts';
import { retryMessage } from './message-log.ts';
import { enqueueNotification } from './outbox.ts';
import { RecordingNotifier } from './recording-notifier.ts';
import { ensureDigestPlanned, notificationTasks } from './tasks.ts';

const TZ = 'Asia/Shanghai';
const clock: Clock = { now: () => new Date() }; // reads the faked Date
const silent = new Logger(() => () => {});

describe('delivery and scheduled notifications', () => {
  let database: MigratedTestDatabase;
  let notifier: RecordingNotifier;
  let recruiter: MemberPrincipal;
  let alice: string;
  let bob: string;

  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  beforeEach(async () => {
    vi.setSystemTime(new Date('2030-01-07T02:00:00.000Z')); // Monday 10:00 in Shanghai
    database = await createMigratedDatabase('pv_delivery');
    notifier = new RecordingNotifier();
    const r = await createPerson(database.db, { name: 'Rita', roles: ['recruiter'] });
    recruiter = { kind: 'member', person: r, roles: new Set(['recruiter', 'interviewer']) };
    alice = (await createPerson(database.db, { name: 'Alice' })).id;
    bob = (await createPerson(database.db, { name: 'Bob' })).id;
  });
  afterEach(async () => {
    await database.drop();
  });

  /** Moves time to `at` and lets graphile-worker run every job due by then. */
  async function runAt(at: string, withNotifier: RecordingNotifier | null = notifier) {
    vi.setSystemTime(new Date(at));
    const taskList = notificationTasks({ db: database.db, clock, timeZone: TZ, notifier: withNotifier ?? undefined });
    // Until nothing is due any more: a job retried after a failure is due again at once (graphile-worker counts its
    // backoff from the database's clock, which is behind the faked one), and runOnce may return before its failure
    // is written, the job still locked.
    for (let round = 0; round < 20; round++) {
      await runOnce({ pgPool: database.pool, taskList, useNodeTime: true, logger: silent });
      await unlocked();
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker._private_jobs
        where run_at <= ${new Date(at)} and attempts < max_attempts and locked_at is null and task_id in
          (select id from graphile_worker._private_tasks where identifier = any(${Object.keys(taskList)}::text[]))`.execute(database.db);
      if (rows[0]!.n === 0) return;
    }
    throw new Error('jobs were still due after 20 rounds of runOnce');
  }

  /** runOnce can return before its last job's completion reaches the database; wait for it (bounded). */
  async function unlocked() {
    for (let i = 0; i < 200; i++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(
        database.db,
      );
      if (rows[0]!.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('graphile-worker left jobs locked after runOnce');
  }

  async function schedule(startsAt = '2030-01-08T06:00:00.000Z') {
    const { interviewId } = await createInterview({ db: database.db, clock }, recruiter, {
      candidate: { name: 'Xiaoming' },
      position: 'Backend engineer',
      startsAt: new Date(startsAt),
      durationMinutes: 60,
      interviewerIds: [alice, bob],
    });
    return interviewId;
  }

  const outbox = () => database.db.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('kind').execute();
  const delivered = () => notifier.delivered.map((m) => [m.notification.kind, m.notification.recipients]);

  it('writes the outbox row and its job in one transaction: roll back and neither exists', async () => {
    await expect(
      database.db.transaction().execute(async (tx) => {
        await enqueueNotification(tx, { kind: 'welcome', recipients: [alice] });
        throw new Error('the domain change failed');
      }),
    ).rejects.toThrow('the domain change failed');
    expect(await outbox()).toEqual([]);
    expect(await queuedJobs(database.db, 'deliver_notification')).toEqual([]);

    const id = await database.db.transaction().execute((tx) => enqueueNotification(tx, { kind: 'welcome', recipients: [alice] }));
    expect((await outbox()).map((r) => r.id)).toEqual([id]);
    expect((await queuedJobs(database.db, 'deliver_notification')).map((j) => j.key)).toEqual([id]);
  });

  it('delivers a scheduled interview\'s card through the Notifier and records it as sent', async () => {
    const interviewId = await schedule();
    await runAt('2030-01-07T02:00:01.000Z');
    expect(notifier.delivered).toHaveLength(1);
    const [message] = notifier.delivered;
    expect(message).toMatchObject({ attempt: 1, notification: { kind: 'interview_scheduled', interviewId, recipients: [alice, bob] } });
    const [row] = await outbox();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, msgid: `msg-${row!.id}`, errcode: null });
    expect(await queuedJobs(database.db, 'deliver_notification')).toEqual([]);
  });

  it('keeps messages queued while no Notifier is configured, and delivers them once one is', async () => {
    await schedule();
    await runAt('2030-01-07T02:00:01.000Z', null);
    expect((await outbox()).map((r) => r.status)).toEqual(['queued']);
    expect(await queuedJobs(database.db, 'deliver_notification')).toHaveLength(1);
    await runAt('2030-01-07T02:00:02.000Z');
    expect((await outbox()).map((r) => r.status)).toEqual(['sent']);
  });

  it('records a permanent failure with its errcode; an admin retry sends it again', async () => {
    await schedule();
    notifier.outcome = () => ({ status: 'failed', errcode: 81013, errmsg: 'user & party & tag all invalid' });
    await runAt('2030-01-07T02:00:01.000Z');
    const [failed] = await outbox();
    expect(failed).toMatchObject({ status: 'failed', errcode: 81013, errmsg: 'user & party & tag all invalid', attempts: 1 });
    expect(await queuedJobs(database.db, 'deliver_notification')).toEqual([]);

    await retryMessage(database.db, clock, failed!.id);
    notifier.outcome = (m) => ({ status: 'sent', msgid: `again-${m.outboxId}` });
    await runAt('2030-01-07T02:01:00.000Z');
    expect((await outbox())[0]).toMatchObject({ status: 'sent', attempts: 2, msgid: `again-${failed!.id}`, errcode: null, errmsg: null });
    await expect(retryMessage(database.db, clock, failed!.id)).rejects.toThrow(/this one is sent/);
  });

  it('retries a transient error, keeping the error on the row until the retry succeeds', async () => {
    await schedule();
    const seenOnRetry: unknown[] = [];
    notifier.outcome = async (message) => {
      if (message.attempt === 1) throw Object.assign(new Error('system busy'), { errcode: -1 });
      seenOnRetry.push(await database.db.selectFrom('outbox').select(['status', 'errcode', 'errmsg']).where('id', '=', message.outboxId).executeTakeFirst());
      return { status: 'sent', msgid: 'm2' };
    };
    // graphile-worker's backoff is counted from the database's clock, which is behind the faked one: the retry is
    // due at once, so one run shows both attempts.
    await runAt('2030-01-07T02:00:01.000Z');
    expect(seenOnRetry).toEqual([{ status: 'sending', errcode: -1, errmsg: 'system busy' }]);
    expect((await outbox())[0]).toMatchObject({ status: 'sent', attempts: 2, msgid: 'm2', errcode: null, errmsg: null });
    expect(notifier.delivered.map((m) => m.attempt)).toEqual([1, 2]);
  });

  it('marks the row failed when the last attempt fails', async () => {
    await schedule();
    await sql`update graphile_worker._private_jobs set max_attempts = 1`.execute(database.db);
    notifier.outcome = () => {
      throw new Error('connect ECONNREFUSED');
    };
    await runAt('2030-01-07T02:00:01.000Z');
    expect((await outbox())[0]).toMatchObject({ status: 'failed', errmsg: 'connect ECONNREFUSED' });
  });

  it('a deferred delivery waits for its time without counting an attempt', async () => {
    await schedule();
    notifier.outcome = () => ({ status: 'deferred', until: new Date('2030-01-07T02:01:00.000Z'), reason: 'member quota: 30/min' });
    await runAt('2030-01-07T02:00:01.000Z');
    expect((await outbox())[0]).toMatchObject({ status: 'queued', attempts: 0, errmsg: 'member quota: 30/min' });
    const jobs = await queuedJobs(database.db, 'deliver_notification');
    expect(jobs.map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T02:01:00.000Z']);

    notifier.outcome = () => ({ status: 'sent' });
    await runAt('2030-01-07T02:00:59.000Z');
    expect((await outbox())[0]!.status).toBe('queued');
    await runAt('2030-01-07T02:01:00.000Z');
    expect((await outbox())[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('reminds the panel 15 minutes before, without those who declined; a moved interview reminds at its new time', async () => {
    const id = await schedule('2030-01-08T06:00:00.000Z');
    await respondToInvitation({ db: database.db, clock }, id, bob, 'declined');
    await runAt('2030-01-08T05:44:59.000Z');
    expect(delivered().map(([kind]) => kind)).toEqual(['interview_scheduled', 'interviewer_declined']);

    await runAt('2030-01-08T05:45:00.000Z');
    expect(delivered().slice(2)).toEqual([['interview_reminder', [alice]]]);

    await rescheduleInterview({ db: database.db, clock }, id, { version: 1, startsAt: new Date('2030-01-09T06:00:00.000Z') });
    await runAt('2030-01-08T05:50:00.000Z'); // the rescheduled notice only
    expect(delivered().slice(3)).toEqual([['interview_rescheduled', [alice, bob]]]);
    await runAt('2030-01-09T05:45:00.000Z');
    expect(delivered().slice(4)).toEqual([['interview_reminder', [alice, bob]]]);
  });

  it('tells the panel and the recruiter when the candidate is 5 minutes late, and nobody when they joined', async () => {
    const late = await schedule('2030-01-08T06:00:00.000Z');
    const onTime = await schedule('2030-01-08T08:00:00.000Z');
    const room = await database.db.selectFrom('rooms').selectAll().where('interview_id', '=', onTime).executeTakeFirstOrThrow();
    await runAt('2030-01-08T07:58:00.000Z');
    await candidateJoin(database.db, clock, room, 'Xiaoming');
    await runAt('2030-01-08T08:05:00.000Z');
    const lateNotices = notifier.delivered.filter((m) => m.notification.kind === 'candidate_late');
    expect(lateNotices.map((m) => [(m.notification as { interviewId: string }).interviewId, m.notification.recipients])).toEqual([
      [late, [alice, bob, recruiter.person.id]],
    ]);
  });

  it('chases missing feedback 1 h after the end, then daily, at most 5 times, and stops when it is in', async () => {
    const id = await schedule('2030-01-08T06:00:00.000Z'); // ends 07:00
    await runAt('2030-01-08T07:59:59.000Z');
    expect(notifier.delivered.filter((m) => m.notification.kind === 'feedback_reminder')).toEqual([]);

    await runAt('2030-01-08T08:00:00.000Z');
    await submitScorecard({ db: database.db, clock }, id, alice, { rating: 'yes', skillNotes: [], summary: '' });
    for (let day = 1; day <= 6; day++) {
      await runAt(new Date(Date.parse('2030-01-08T08:00:00.000Z') + day * 86_400_000).toISOString());
    }
    const chasers = notifier.delivered
      .filter((m) => m.notification.kind === 'feedback_reminder')
      .map((m) => `${(m.notification as { round: number }).round}:${m.notification.recipients.join()}`);
    expect(chasers.sort()).toEqual([`1:${alice}`, `1:${bob}`, `2:${bob}`, `3:${bob}`, `4:${bob}`, `5:${bob}`].sort());
    expect(await queuedJobs(database.db, 'feedback_chaser')).toEqual([]);
  });

  it('removes everything scheduled when the interview is cancelled', async () => {
    const id = await schedule('2030-01-08T06:00:00.000Z');
    await cancelInterview({ db: database.db, clock }, id, { version: 1 });
    await runAt('2030-01-20T00:00:00.000Z');
    expect(notifier.kinds()).toEqual(['interview_scheduled', 'interview_cancelled']);
  });

  it('sends each interviewer a 09:00 digest of their day on working days, and plans the next one', async () => {
    await schedule('2030-01-08T03:00:00.000Z'); // Tuesday 11:00 Shanghai
    await schedule('2030-01-08T07:00:00.000Z'); // Tuesday 15:00
    await ensureDigestPlanned(database.db, clock, TZ);
    expect((await queuedJobs(database.db, 'daily_digest')).map((j) => j.run_at.toISOString())).toEqual(['2030-01-08T01:00:00.000Z']);
    await ensureDigestPlanned(database.db, clock, TZ); // idempotent
    expect(await queuedJobs(database.db, 'daily_digest')).toHaveLength(1);

    await runAt('2030-01-08T01:00:00.000Z'); // Tuesday 09:00
    const digests = notifier.delivered.filter((m) => m.notification.kind === 'daily_digest');
    expect(digests.map((m) => [m.notification.recipients, (m.notification as { date: string }).date])).toEqual(
      expect.arrayContaining([
        [[alice], '2030-01-08'],
        [[bob], '2030-01-08'],
      ]),
    );
    expect(digests).toHaveLength(2);
    expect((digests[0]!.notification as { interviewIds: string[] }).interviewIds).toHaveLength(2);
    expect((await queuedJobs(database.db, 'daily_digest')).map((j) => j.run_at.toISOString())).toEqual(['2030-01-09T01:00:00.000Z']);

    // Friday's digest plans Monday's.
    await sql`update graphile_worker._private_jobs set run_at = '2030-01-11T01:00:00Z' where key = 'daily_digest'`.execute(database.db);
    await runAt('2030-01-11T01:00:00.000Z');
    expect((await queuedJobs(database.db, 'daily_digest')).map((j) => j.run_at.toISOString())).toEqual(['2030-01-14T01:00:00.000Z']);
  });
});

/**
 * Issue 10 through the delivery pipeline, with the real tasks, the SDK's limiter on PostgreSQL and the emulator
 * enforcing WeCom's limits: when a quota is short the more urgent notifications go first (across workers), the
 * digest gives way to reminders at the end of the day's quota and waits for tomorrow, /healthz says the quota runs
 * low, and nothing meets WeCom's 45009.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainNotification } from '../../src/notifications/notification.ts';
import { enqueueNotification, enqueueNotifications } from '../../src/notifications/outbox.ts';
import { DEFAULT_SEAT_LIMIT } from '../../src/config.ts';
import { wecomStatus } from '../../src/wecom/status.ts';
import { dailyQuotaStatus } from '../../src/wecom/outbound/index.ts';
import { buildTestApp, queuedJobs } from '../helpers.ts';
import { clock, createHarness, outboxRows, type Harness, type HarnessOptions } from './harness.ts';

const START = '2030-01-07T02:00:00.000Z'; // Monday 10:00 in Shanghai (and in Beijing, WeCom's day)

/** An interview at 10:10 with alice and bob on the panel, written directly (no invitations sent). */
async function bareInterview(h: Harness): Promise<string> {
  const candidate = await h.database.db.insertInto('candidates').values({ name: 'Li Ming' }).returning('id').executeTakeFirstOrThrow();
  const interview = await h.database.db
    .insertInto('interviews')
    .values({
      candidate_id: candidate.id,
      position: 'Backend engineer',
      starts_at: new Date('2030-01-07T02:10:00.000Z'),
      duration_minutes: 60,
      recruiter_id: h.ids.recruiter,
      hiring_manager_id: h.ids.manager,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const person of [h.ids.alice, h.ids.bob]) {
    await h.database.db.insertInto('interview_interviewers').values({ interview_id: interview.id, person_id: person }).execute();
  }
  return interview.id;
}

describe('quotas in the delivery pipeline', () => {
  let h: Harness;

  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });
  beforeEach(() => {
    vi.setSystemTime(new Date(START));
  });
  afterEach(async () => {
    await h?.close();
  });

  async function setUp(options: HarnessOptions = {}) {
    h = await createHarness(options);
    return h;
  }

  async function enqueue(...notifications: DomainNotification[]) {
    const ids: string[] = [];
    await h.database.db.transaction().execute(async (tx) => {
      for (const n of notifications) ids.push((await enqueueNotification(tx, n))!);
    });
    return ids;
  }

  const delivered = () => h.emu.control.messages().filter((m) => m.status === 'delivered');

  it('the per-API quota is short: reminders and "candidate late" before decisions, before chasers, before the digest', async () => {
    // 6 message/send calls a minute for the whole corp (a WeCom of our own making); WeCom itself refuses the 7th.
    await setUp({ quotaRules: { api: { scope: 'corp', windows: [{ limit: 6, windowMs: 60_000 }] } }, emulatorLimits: { apiPerMinute: 6 } });
    const interviewId = await bareInterview(h);
    // Written in the "wrong" order: the least urgent first.
    await enqueue(
      { kind: 'daily_digest', date: '2030-01-07', interviewIds: [interviewId], recipients: [h.ids.alice] },
      { kind: 'daily_digest', date: '2030-01-07', interviewIds: [interviewId], recipients: [h.ids.bob] },
      { kind: 'feedback_reminder', interviewId, round: 1, recipients: [h.ids.alice] },
      { kind: 'interview_updated', interviewId, recipients: [h.ids.bob] },
      { kind: 'candidate_late', interviewId, recipients: [h.ids.recruiter] },
      { kind: 'interview_reminder', interviewId, recipients: [h.ids.alice, h.ids.bob] },
    );
    // One worker: graphile-worker hands it the jobs in priority order (every worker of a cluster takes them so;
    // which of two workers' sends reaches the limiter first is up to the machine, so it is one here).
    await h.runAt('2030-01-07T02:00:01.000Z');
    // Six sends fit the minute: the reminder (2), "candidate late", the update, the chaser, and one digest.
    const kinds = async () =>
      Object.fromEntries((await outboxRows(h)).map((r) => [`${r.kind}${r.kind === 'daily_digest' ? `:${r.recipient_ids[0] === h.ids.alice ? 'alice' : 'bob'}` : ''}`, r.status]));
    const first = await kinds();
    expect(Object.values(first).filter((s) => s === 'queued')).toHaveLength(1);
    expect(first).toMatchObject({ interview_reminder: 'sent', candidate_late: 'sent', interview_updated: 'sent', feedback_reminder: 'sent' });
    expect([first['daily_digest:alice'], first['daily_digest:bob']].sort()).toEqual(['queued', 'sent']);
    expect(delivered()).toHaveLength(6);
    // And they reached WeCom in that order: urgent, normal, low, bulk.
    const kindOf = new Map((await outboxRows(h)).map((r) => [r.id, r.kind]));
    const rank = { interview_reminder: 0, candidate_late: 0, interview_updated: 1, feedback_reminder: 2, daily_digest: 3 } as Record<string, number>;
    const arrived = delivered().map((m) => rank[kindOf.get(/m%3D([0-9a-f-]{36})/.exec(JSON.stringify(m.content))![1]!)!]!);
    expect(arrived).toEqual([...arrived].sort((a, b) => a - b));
    expect(arrived).toEqual([0, 0, 0, 1, 2, 3]);
    // The one left waits for the minute's first send to leave the window; WeCom never refused anything.
    await h.runAt('2030-01-07T02:01:02.500Z');
    expect(Object.values(await kinds()).every((s) => s === 'sent')).toBe(true);
    expect(h.emu.control.stats().errcodes[45009]).toBeUndefined();
  });

  it('the daily quota runs low: reminders still go, the digest waits for tomorrow (then gives way to tomorrow\'s), and /healthz says so', async () => {
    await setUp({ seatLimit: 1 }); // 200 person-times a day, for Pairview and the emulator alike
    // 165 of the day's 200 already used by other sends of the app (10 members a send).
    const ten = ['gaofeng', 'zhangwei', 'lina', 'wangfang', 'liuyang', 'linxiao', 'chenjie', 'yangmin', 'zhaolei', 'guojun'];
    for (let i = 0; i < 16; i++) await h.client.message.send({ toUser: ten }, { msgtype: 'text', text: { content: `busy day ${i}` } });
    await h.client.message.send({ toUser: ten.slice(0, 5) }, { msgtype: 'text', text: { content: 'busy day' } });

    const interviewId = await bareInterview(h);
    await h.database.db.transaction().execute((tx) =>
      enqueueNotifications(tx, [
        { notification: { kind: 'daily_digest', date: '2030-01-07', interviewIds: [interviewId], recipients: [h.ids.alice] } },
        { notification: { kind: 'bot_reply', command: 'help', recipients: [h.ids.bob] } },
        { notification: { kind: 'feedback_reminder', interviewId, round: 1, recipients: [h.ids.bob] } },
      ]),
    );
    await h.runAt('2030-01-07T02:00:01.000Z');
    const rows = await outboxRows(h);
    const digest = rows.find((r) => r.kind === 'daily_digest')!;
    // 35 were left: the urgent reply may take all of them, a chaser all but the last 20 (10%), the digest all but
    // the last 40 (20%) — so it waits.
    expect(rows.find((r) => r.kind === 'bot_reply')!.status).toBe('sent');
    expect(rows.find((r) => r.kind === 'feedback_reminder')!.status).toBe('sent');
    expect(digest).toMatchObject({ status: 'queued', attempts: 0 });
    expect(digest.errmsg).toMatch(/^day:message: /);
    expect((await queuedJobs(h.database.db, 'deliver_notification')).map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T16:00:00.000Z']);

    // /healthz: the quota and a warning, for the admin page.
    const app = await buildTestApp(h.database, {
      clock,
      wecomStatus: () =>
        wecomStatus({
          db: h.database.db,
          clock,
          quota: () => dailyQuotaStatus(h.client, { value: 1, configured: true }),
          mode: 'emulator',
          corpId: h.emu.corpId,
          agentId: h.emu.agentId,
          callbackUrl: 'https://pairview.example.com/wecom/callback',
        }),
    });
    try {
      const health = (await app.inject('/healthz')).json();
      expect(health.status).toBe('ok');
      expect(health.wecom.dailyQuota).toEqual({
        limit: 200,
        used: 167,
        remaining: 33,
        resetsAt: '2030-01-07T16:00:00.000Z',
        seatLimit: 1,
        seatLimitSource: 'config',
        low: true,
      });
      expect(health.wecom.warnings).toEqual([expect.stringMatching(/^daily message quota low: 33 of 200 person-times left until 2030-01-07T16:00:00.000Z; digests wait for tomorrow/)]);
    } finally {
      await app.close();
    }

    // Midnight in Beijing: a new quota, but the digest of a day that is over gives way to today's.
    await h.runAt('2030-01-07T16:00:00.000Z');
    expect((await outboxRows(h)).find((r) => r.kind === 'daily_digest')).toMatchObject({ status: 'dropped', errmsg: expect.stringMatching(/could not go out that day/) });
    expect(h.emu.control.stats().errcodes[45009]).toBeUndefined();
    expect(h.emu.control.messages().filter((m) => m.status === 'dropped')).toEqual([]);
  });

  it('the seat limit defaults to 200 when WECOM_SEAT_LIMIT is unset, and says so', async () => {
    await setUp();
    expect(DEFAULT_SEAT_LIMIT).toBe(200);
    expect(await dailyQuotaStatus(h.client, { value: DEFAULT_SEAT_LIMIT, configured: false })).toMatchObject({ limit: 40_000, seatLimitSource: 'default', low: false });
  });
});

describe('WECOM_SEAT_LIMIT', () => {
  it('sets the seat limit; unset is 200; a bad value names the variable', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.ts');
    expect(loadConfig({ WECOM_SEAT_LIMIT: '500' }).seatLimit).toEqual({ value: 500, configured: true });
    expect(loadConfig({}).seatLimit).toEqual({ value: 200, configured: false });
    expect(() => loadConfig({ WECOM_SEAT_LIMIT: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ WECOM_SEAT_LIMIT: 'lots' })).toThrow(/WECOM_SEAT_LIMIT must be a whole number/);
  });
});

describe('enqueueNotifications', () => {
  it('writes the rows and their jobs as enqueueNotification does, with each kind\'s priority, and skips used dedupe keys', async () => {
    const { createMigratedDatabase, createPerson } = await import('../helpers.ts');
    const database = await createMigratedDatabase('pv_enqueue_many');
    try {
      const alice = (await createPerson(database.db)).id;
      const first = await database.db.transaction().execute((tx) =>
        enqueueNotifications(tx, [
          { notification: { kind: 'daily_digest', date: '2030-01-07', interviewIds: [], recipients: [alice, alice] }, dedupeKey: 'digest:alice' },
          { notification: { kind: 'bot_reply', command: 'help', recipients: [alice] } },
          { notification: { kind: 'welcome', recipients: [] } },
        ]),
      );
      expect(first).toBe(2);
      const again = await database.db.transaction().execute((tx) =>
        enqueueNotifications(tx, [{ notification: { kind: 'daily_digest', date: '2030-01-07', interviewIds: [], recipients: [alice] }, dedupeKey: 'digest:alice' }]),
      );
      expect(again).toBe(0);
      const rows = await database.db.selectFrom('outbox').select(['id', 'kind', 'recipient_ids']).orderBy('kind').execute();
      expect(rows.map((r) => [r.kind, r.recipient_ids])).toEqual([
        ['bot_reply', [alice]],
        ['daily_digest', [alice]],
      ]);
      const jobs = await queuedJobs(database.db, 'deliver_notification');
      const { rows: keyed } = await (await import('kysely')).sql<{ key: string; priority: number; max_attempts: number }>`
        select key, priority, max_attempts from graphile_worker._private_jobs order by priority`.execute(database.db);
      expect(jobs).toHaveLength(2);
      expect(keyed.map((j) => [j.key, j.priority, j.max_attempts])).toEqual([
        [rows[0]!.id, 0, 10],
        [rows[1]!.id, 3, 10],
      ]);
    } finally {
      await database.drop();
    }
  });
});

/**
 * Delivery under WeCom's rules and failures, with the real task and the emulator: the per-member quota queues
 * instead of losing (the emulator would drop silently), permanent failures are recorded with their errcode,
 * transient ones are retried, and a send whose outcome is unknown is retried without a second copy.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainNotification } from '../../src/notifications/notification.ts';
import { enqueueNotification } from '../../src/notifications/outbox.ts';
import { retryMessage } from '../../src/notifications/message-log.ts';
import { outboundDb } from '../../src/wecom/outbound/tables.ts';
import { createPerson, queuedJobs } from '../helpers.ts';
import { clock, createHarness, outboxRows, type Harness, type HarnessOptions } from './harness.ts';

const START = '2030-01-07T02:00:00.000Z';

describe('WeCom delivery', () => {
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

  const help = (recipients: string[]): DomainNotification => ({ kind: 'bot_reply', command: 'help', recipients });
  const sendCalls = () => h.emu.control.calls({ path: '/cgi-bin/message/send' });

  it('a member over 30 messages a minute: the rest wait for the window instead of being dropped by WeCom', async () => {
    await setUp();
    await enqueue(...Array.from({ length: 35 }, () => help([h.ids.alice])));
    await h.runAt('2030-01-07T02:00:01.000Z');

    const inbox = () => h.inbox('alice');
    expect(inbox().filter((m) => m.status === 'delivered')).toHaveLength(30);
    expect(inbox().filter((m) => m.status === 'dropped')).toEqual([]);
    const rows = await outboxRows(h);
    const waiting = rows.filter((r) => r.status === 'queued');
    expect(waiting).toHaveLength(5);
    for (const row of waiting) {
      expect(row.attempts).toBe(0); // waiting is not a failed attempt
      expect(row.errmsg).toMatch(/^member:zhangwei: quota member:zhangwei is used up/);
    }
    // Planned for when the first send leaves the minute window: the limiter's slice of it (500 ms) ends a minute
    // and a second of margin later (WeCom counts a send when it arrives).
    const jobs = await queuedJobs(h.database.db, 'deliver_notification');
    expect(new Set(jobs.map((j) => j.run_at.toISOString()))).toEqual(new Set(['2030-01-07T02:01:02.500Z']));

    await h.runAt('2030-01-07T02:01:02.499Z'); // not yet
    expect(inbox().filter((m) => m.status === 'delivered')).toHaveLength(30);
    await h.runAt('2030-01-07T02:01:02.500Z');
    expect(inbox().filter((m) => m.status === 'delivered')).toHaveLength(35);
    expect(inbox().filter((m) => m.status === 'dropped')).toEqual([]);
    expect((await outboxRows(h)).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    // Each is a different message (the outbox id is in its link), so WeCom's duplicate check let them all through.
    expect(new Set(inbox().map((m) => JSON.stringify(m.content))).size).toBe(35);
  });

  it('the quota holds across workers: two workers at once never give a member a 31st message in a minute', async () => {
    await setUp();
    await enqueue(...Array.from({ length: 40 }, () => help([h.ids.alice])), ...Array.from({ length: 5 }, () => help([h.ids.bob])));
    await h.runAt('2030-01-07T02:00:01.000Z', { workers: 3 });
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(30);
    expect(h.inbox('bob').filter((m) => m.status === 'delivered')).toHaveLength(5); // one member's quota holds nobody else back
    expect(h.emu.control.messages().filter((m) => m.status === 'dropped')).toEqual([]);
    await h.runAt('2030-01-07T02:01:02.500Z', { workers: 3 });
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(40);
    expect(h.emu.control.messages().filter((m) => m.status === 'dropped')).toEqual([]);
  });

  it('the hourly quota too: with the minute windows free, the hour window makes messages wait', async () => {
    await setUp({ quotaRules: { member: [{ limit: 30, windowMs: 60_000 }, { limit: 35, windowMs: 3_600_000 }] } });
    await enqueue(...Array.from({ length: 30 }, () => help([h.ids.alice])));
    await h.runAt('2030-01-07T02:00:01.000Z');
    await enqueue(...Array.from({ length: 10 }, () => help([h.ids.alice])));
    await h.runAt('2030-01-07T02:05:00.000Z');
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(35);
    const waiting = (await outboxRows(h)).filter((r) => r.status === 'queued');
    expect(waiting).toHaveLength(5);
    expect(waiting[0]!.errmsg).toMatch(/^member:zhangwei: quota member:zhangwei is used up/);
    // The hour's 30-second slice of 02:00:01 counts until an hour and a second after its end, rounded to a slice.
    await h.runAt('2030-01-07T03:00:59.999Z');
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(35);
    await h.runAt('2030-01-07T03:01:00.000Z');
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(40);
  });

  it('81013 (nobody valid) is a permanent failure recorded with its errcode; the others still get theirs, once', async () => {
    await setUp();
    const ghost = await createPerson(h.database.db, { wecomUserId: 'ghost', name: '幽灵' });
    const [only] = await enqueue({ kind: 'welcome', recipients: [ghost.id] });
    const [mixed] = await enqueue({ kind: 'welcome', recipients: [h.ids.alice, ghost.id] });
    await h.runAt('2030-01-07T02:00:01.000Z');

    const rows = await outboxRows(h);
    const onlyRow = rows.find((r) => r.id === only)!;
    expect(onlyRow).toMatchObject({ status: 'failed', errcode: 81013, attempts: 1 });
    expect(onlyRow.errmsg).toMatch(/^ghost: errcode 81013: user & party & tag all invalid/);
    const mixedRow = rows.find((r) => r.id === mixed)!;
    expect(mixedRow).toMatchObject({ status: 'failed', errcode: 81013 });
    expect(mixedRow.errmsg).toMatch(/^sent to 1 of 2; ghost: errcode 81013/);
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(1);
    expect(await queuedJobs(h.database.db, 'deliver_notification')).toEqual([]); // not retried by itself

    // An admin retries it: only the failed recipient is tried again; alice does not get a second copy.
    await retryMessage(h.database.db, clock, mixed!);
    await h.runAt('2030-01-07T02:10:00.000Z');
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(1);
    expect((await outboxRows(h)).find((r) => r.id === mixed)).toMatchObject({ status: 'failed', errcode: 81013, attempts: 2 });
    expect(sendCalls().filter((c) => JSON.stringify(c.body).includes('"touser":"zhangwei"'))).toHaveLength(1);
  });

  it('60011 (no privilege: the member is outside the app\'s visible range) is permanent too: recorded, not retried by itself', async () => {
    await setUp({ maxRetries: 0 });
    h.emu.control.injectFault({ path: 'message/send', errcodes: [60011] });
    const [id] = await enqueue(help([h.ids.alice]));
    await h.runAt('2030-01-07T02:00:01.000Z');
    expect((await outboxRows(h)).find((r) => r.id === id)).toMatchObject({ status: 'failed', errcode: 60011, attempts: 1 });
    expect(sendCalls().map((c) => c.errcode)).toEqual([60011]);
    expect(await queuedJobs(h.database.db, 'deliver_notification')).toEqual([]);
    expect(h.inbox('alice')).toEqual([]);
  });

  it('deactivated or unknown people are dropped with the reason; nothing is sent', async () => {
    await setUp();
    await h.database.db.updateTable('people').set({ active: false }).where('id', '=', h.ids.bob).execute();
    const [id] = await enqueue({ kind: 'welcome', recipients: [h.ids.bob] });
    await h.runAt('2030-01-07T02:00:01.000Z');
    expect((await outboxRows(h)).find((r) => r.id === id)).toMatchObject({ status: 'dropped', errmsg: 'deactivated in the WeCom directory' });
    expect(sendCalls()).toEqual([]);
  });

  it('-1 (busy) and 45009 (frequency) are transient: the job retries — after a 45009 once WeCom\'s 60 s block is over — and the member gets it once', async () => {
    await setUp({ maxRetries: 0 }); // every retry is the delivery job's, not the SDK's
    h.emu.control.injectFault({ path: 'message/send', errcodes: [-1, 45009] });
    const [id] = await enqueue(help([h.ids.alice]));
    await h.runAt('2030-01-07T02:00:01.000Z');
    // After the 45009 nothing is sent for 60 s (in any process): the delivery waits for the block's end, and the
    // wait is not an attempt.
    const waiting = (await outboxRows(h)).find((r) => r.id === id)!;
    expect(waiting).toMatchObject({ status: 'queued', attempts: 2 });
    expect((await queuedJobs(h.database.db, 'deliver_notification')).map((j) => j.run_at.toISOString())).toEqual(['2030-01-07T02:01:01.000Z']);
    expect(sendCalls().map((c) => c.errcode)).toEqual([-1, 45009]);
    await h.runAt('2030-01-07T02:01:01.000Z');
    expect((await outboxRows(h)).find((r) => r.id === id)).toMatchObject({ status: 'sent', attempts: 3, errcode: null });
    expect(sendCalls().map((c) => c.errcode)).toEqual([-1, 45009, 0]);
    expect(h.inbox('alice').filter((m) => m.status === 'delivered')).toHaveLength(1);
    const [delivery] = await outboundDb(h.database.db).selectFrom('wecom_deliveries').selectAll().execute();
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3, msgid: h.inbox('alice')[0]!.msgid });
  });

  it('a transient failure for one recipient: the retry sends to that one only', async () => {
    await setUp({ maxRetries: 0 });
    h.emu.control.injectFault({ path: 'message/send', errcodes: [-1] });
    await enqueue({ kind: 'welcome', recipients: [h.ids.alice, h.ids.bob, h.ids.carol] });
    await h.runAt('2030-01-07T02:00:01.000Z');
    expect(sendCalls()).toHaveLength(4);
    for (const member of ['alice', 'bob', 'carol'] as const) expect(h.inbox(member).filter((m) => m.status === 'delivered')).toHaveLength(1);
    expect((await outboxRows(h))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('unknown outcome, request lost (drop fault): retried with the same body, delivered once', async () => {
    await setUp({ maxRetries: 0 });
    h.emu.control.injectFault({ path: 'message/send', drop: true });
    const [id] = await enqueue(help([h.ids.alice]));
    await h.runAt('2030-01-07T02:00:01.000Z');
    const calls = sendCalls();
    expect(calls).toHaveLength(2);
    expect(calls[0]!.errcode).toBeNull(); // no answer: the connection was dropped
    expect(JSON.stringify(calls[1]!.body)).toBe(JSON.stringify(calls[0]!.body));
    expect((calls[1]!.body as { enable_duplicate_check: number }).enable_duplicate_check).toBe(1);
    expect(h.inbox('alice').map((m) => m.status)).toEqual(['delivered']);
    expect((await outboxRows(h)).find((r) => r.id === id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('unknown outcome, answer lost (WeCom delivered, the client timed out): the resend is dropped as a duplicate', async () => {
    await setUp({ maxRetries: 0, timeoutMs: 300 });
    h.emu.control.injectFault({ path: 'message/send', latencyMs: 800 });
    const [id] = await enqueue(help([h.ids.alice]));
    await h.runAt('2030-01-07T02:00:01.000Z');
    // Let the slow first request finish inside the emulator (real time; its answer goes nowhere).
    await vi.waitFor(() => expect(sendCalls()).toHaveLength(2), { timeout: 3000, interval: 50 });
    const items = h.inbox('alice');
    expect(items.filter((m) => m.status === 'delivered')).toHaveLength(1);
    expect(items.filter((m) => m.status === 'dropped').map((m) => m.dropReason)).toEqual(['duplicate']);
    const row = (await outboxRows(h)).find((r) => r.id === id)!;
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(row.msgid).toBe(items[0]!.msgid);
  });

  it('a card resent after an unknown outcome keeps one registry row with the first send\'s response_code', async () => {
    await setUp({ maxRetries: 0, timeoutMs: 300 });
    const { createInterview } = await import('../../src/interviews/service.ts');
    h.emu.control.injectFault({ path: 'message/send', latencyMs: 800 });
    await createInterview({ db: h.database.db, clock }, h.recruiter, {
      candidate: { name: 'Li Ming' },
      position: 'Backend engineer',
      startsAt: new Date('2030-01-08T06:00:00.000Z'),
      durationMinutes: 60,
      interviewerIds: [h.ids.alice],
    });
    await h.runAt('2030-01-07T02:00:01.000Z');
    await vi.waitFor(() => expect(sendCalls()).toHaveLength(2), { timeout: 3000, interval: 50 });
    const [card] = h.inbox('alice').filter((m) => m.status === 'delivered');
    const cards = await outboundDb(h.database.db).selectFrom('wecom_cards').selectAll().execute();
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ msgid: card!.msgid, response_code: card!.responseCode });
  });
});

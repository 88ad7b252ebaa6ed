/**
 * Issue 10: a burst that would exceed each of WeCom's quotas (wecom-protocol.md §5) is spread so that the emulator,
 * which enforces them as WeCom does, never answers 45009 (nor drops a member's message). Each case runs twice: once
 * with a client that takes no quota — WeCom refuses or drops, so the burst really exceeds the quota — and once with
 * the SDK's limiter, where every call goes through or, for the daily quota, waits for tomorrow instead of being sent.
 *
 * The emulator's windows and the limiter's are scaled alike (`quotaTimeScale`; a "minute" of 600 ms, an "hour" of
 * 3.6 s) so the test takes seconds. It checks what the emulator saw, never how long anything took.
 */
import { startEmulator, type Emulator, type Limits } from '@pairview/wecom-emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { WeComClient } from '../../src/client.ts';
import { RateLimitWaitError } from '../../src/limiter/limiter.ts';
import type { QuotaRules } from '../../src/limiter/rules.ts';
import type { RateLimiter } from '../../src/limiter/types.ts';
import { robotMessage, text } from '../../src/messages/index.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/**
 * The limiter's margin (from taking a unit to WeCom counting the call): 1 s in production, 300 ms here, where the
 * emulator shares the test's event loop with other test files running on the machine.
 */
const MARGIN = 300;

/** A client that takes no quota: what an SDK without a limiter does. */
const noLimiter: RateLimiter = { acquire: async () => 0 };

interface Case {
  name: string;
  limits: Partial<Limits>;
  /** The limiter's windows for the quota, at the same scale. */
  rules: QuotaRules;
  burst(client: WeComClient, emu: Emulator): Promise<PromiseSettledResult<unknown>[]>;
}

const times = <T,>(n: number, call: (i: number) => Promise<T>) => Promise.allSettled(Array.from({ length: n }, (_, i) => call(i)));
const ten = ['gaofeng', 'zhangwei', 'lina', 'wangfang', 'liuyang', 'linxiao', 'chenjie', 'yangmin', 'zhaolei', 'guojun'];

const cases: Case[] = [
  {
    name: 'per corp and API, per minute (10,000): 90 calls against 30 a "minute"',
    limits: { apiPerMinute: 30, quotaTimeScale: 0.01 },
    rules: { api: { scope: 'corp', lease: 4, windows: [{ limit: 30, windowMs: MINUTE * 0.01, kind: 'smooth', burst: 3, marginMs: MARGIN }] } },
    burst: (client) => times(90, () => client.contacts.getUser('lina')),
  },
  {
    name: 'per corp and API, per hour (150,000): 60 calls against 40 an "hour"',
    limits: { apiPerHour: 40, quotaTimeScale: 0.001 },
    rules: { api: { scope: 'corp', windows: [{ limit: 40, windowMs: HOUR * 0.001, marginMs: MARGIN }] } },
    burst: (client) => times(60, () => client.contacts.getUser('lina')),
  },
  {
    name: 'per caller IP and API (20,000 a minute): 90 calls against 30',
    limits: { apiPerMinutePerIp: 30, quotaTimeScale: 0.01 },
    rules: { ip: { scope: 'ip', lease: 4, windows: [{ limit: 30, windowMs: MINUTE * 0.01, kind: 'smooth', burst: 3, marginMs: MARGIN }] } },
    burst: (client) => times(90, () => client.contacts.getUser('lina')),
  },
  {
    name: 'per member (30 a minute, dropped silently): 15 messages to one member against 5',
    limits: { memberPerMinute: 5, quotaTimeScale: 0.01 },
    rules: { member: [{ limit: 5, windowMs: MINUTE * 0.01, marginMs: MARGIN }] },
    burst: (client) => times(15, (i) => client.message.send({ toUser: ['lina'] }, text(`burst ${i}`))),
  },
  {
    name: 'the app\'s daily messages (seat limit × 200): 250 person-times against 200 — the rest wait for tomorrow',
    limits: { seatLimit: 1 },
    rules: { day: { scope: 'app', windows: [{ limit: 200, windowMs: 86_400_000, kind: 'calendar' }] } },
    burst: (client) => times(25, (i) => client.message.send({ toUser: ten }, text(`digest ${i}`), { maxWaitMs: 1_000 })),
  },
  {
    name: 'per group robot (20 a minute): 15 messages against 5',
    limits: { webhookPerMinute: 5, quotaTimeScale: 0.01 },
    rules: { robot: { scope: 'global', windows: [{ limit: 5, windowMs: MINUTE * 0.01, marginMs: MARGIN }] } },
    burst: (client, emu) => times(15, (i) => client.robot(emu.robotKeys[0]!).send(robotMessage.text(`robot ${i}`))),
  },
  {
    name: 'the app\'s jsapi ticket (100 an hour): 8 fetches against 5',
    limits: { agentTicketPerHourPerApp: 5, quotaTimeScale: 0.001 },
    rules: { 'app-ticket': { scope: 'app', windows: [{ limit: 5, windowMs: HOUR * 0.001, marginMs: MARGIN }] } },
    burst: (client) => times(8, () => client.jssdk.fetchAgentConfigTicket()),
  },
  {
    name: 'appchat person-times (20,000 a minute): 10 messages to a group of 2 against 10',
    limits: { appchatSendPerMinute: 10, quotaTimeScale: 0.01 },
    rules: { 'chat-send': { scope: 'corp', windows: [{ limit: 10, windowMs: MINUTE * 0.01, kind: 'smooth', burst: 2, marginMs: MARGIN }] } },
    burst: async (client) => {
      const chatId = await client.appChat.create({ userList: ['zhangwei', 'lina'], name: '面试' });
      return times(10, (i) => client.appChat.send(chatId, text(`group ${i}`), { memberCount: 2 }));
    },
  },
];

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function run(testCase: Case, limiter: 'none' | 'sdk') {
  emu = await startEmulator({ port: 0, limits: testCase.limits });
  const client = new WeComClient({
    corpId: emu.corpId,
    agentId: emu.agentId,
    secret: emu.secret,
    baseUrl: emu.url,
    maxRetries: 0, // a refusal is seen, not retried away
    frequencyBlockMs: 0,
    ...(limiter === 'none' ? { limiter: noLimiter } : { quotaRules: testCase.rules }),
  });
  try {
    await client.tokens.refreshIfDue();
    const results = await testCase.burst(client, emu);
    const stats = emu.control.stats();
    return {
      refused: stats.errcodes['45009'] ?? 0,
      dropped: emu.control.messages().filter((m) => m.status === 'dropped').length,
      waiting: results.filter((r) => r.status === 'rejected' && r.reason instanceof RateLimitWaitError).length,
      failed: results.filter((r) => r.status === 'rejected' && !(r.reason instanceof RateLimitWaitError)).map((r) => String((r as PromiseRejectedResult).reason)),
      ok: results.filter((r) => r.status === 'fulfilled').length,
    };
  } finally {
    await client.close();
  }
}

describe.each(cases)('$name', (testCase) => {
  it('without the limiter WeCom refuses (45009) or drops part of the burst', { timeout: 30_000 }, async () => {
    const outcome = await run(testCase, 'none');
    expect(outcome.refused + outcome.dropped).toBeGreaterThan(0);
  });

  it('with it the burst is spread: WeCom refuses nothing and drops nothing', { timeout: 60_000 }, async () => {
    const outcome = await run(testCase, 'sdk');
    expect(outcome).toMatchObject({ refused: 0, dropped: 0, failed: [] });
    if (testCase.limits.seatLimit) {
      // 20 sends of 10 person-times fit the day; the other 5 wait for tomorrow instead of being refused.
      expect(outcome).toMatchObject({ ok: 20, waiting: 5 });
    } else {
      expect(outcome.waiting).toBe(0);
    }
  });
});

/**
 * Issue 2 item 4 end to end: the documented quotas (wecom-protocol.md §5) kept by the SDK's default limiter against
 * the emulator, which enforces them the way WeCom does — the per-member 30/min and 1000/h by dropping the excess
 * silently (errcode 0), the group robot's 20/min with 45009. The SDK must make the excess WAIT, so nothing is
 * dropped or refused. One clock for both sides: the limiter reads the emulator's clock and its timers fire when the
 * test moves that clock (`advanceClock`, from a frozen start), so minutes and hours pass without sleeping.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter, type Timers } from '../../src/limiter/memory.ts';
import { robotMessage, text } from '../../src/messages/index.ts';
import type { Emulator } from '@pairview/wecom-emulator';
import { useEmulator } from './setup.ts';

// A frozen base time: the emulator's clock moves only by advanceClock, so the windows are exact.
const h = useEmulator({ now: () => Date.UTC(2025, 0, 6, 9, 0, 0) });

/** Timers on the emulator's clock: `advance(seconds)` moves it and fires what fell due, in order. */
function emulatorTime(emu: Emulator) {
  const now = () => emu.state.clock.now();
  let seq = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    setTimeout(callback, ms) {
      pending.set(++seq, { at: now() + ms, callback });
      return seq;
    },
    clearTimeout(id) {
      pending.delete(id as number);
    },
  };
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now,
    timers,
    async advance(seconds: number) {
      emu.control.advanceClock(seconds);
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= now()).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        due[1].callback();
        await settle();
      }
      await settle();
    },
  };
}

/** A client of the demo app whose default limiter (the documented quotas) runs on the emulator's clock. */
function quotaClient() {
  const time = emulatorTime(h.emu);
  const limiter = new MemoryRateLimiter({ now: time.now, timers: time.timers });
  const client = h.client({ limiter, now: time.now });
  const waits: number[] = [];
  client.on('limiter:wait', (e) => void waits.push(e.waitedMs));
  return { client, limiter, time, waits };
}

/** Whether a promise has settled, without waiting for it. */
function tracked<T>(promise: Promise<T>) {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

const inbox = (userid: string) => h.emu.control.messages({ userid });
const statuses = (userid: string) => {
  const counts: Record<string, number> = {};
  for (const m of inbox(userid)) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return counts;
};

describe('the documented quotas end to end: the SDK waits, the emulator (like WeCom) never drops or refuses', () => {
  it('the 31st message to one member in a minute waits for the minute to pass, then is delivered', async () => {
    const { client, limiter, time, waits } = quotaClient();
    for (let i = 1; i <= 30; i++) await client.message.send({ toUser: ['lina'] }, text(`message ${i}`));
    expect(statuses('lina')).toEqual({ delivered: 30 });

    const thirtyFirst = client.message.send({ toUser: ['lina'] }, text('message 31'));
    const sent = tracked(thirtyFirst);
    await time.advance(0); // the cached token is read first, then the quota is asked for
    expect(limiter.waiting).toBe(1);
    // Another member's quota is untouched: their message goes out at once.
    await client.message.send({ toUser: ['zhangwei'] }, text('not held up'));
    expect(statuses('zhangwei')).toEqual({ delivered: 1 });

    // The minute, the limiter's margin of a second (WeCom counts a send when it arrives), and a slice.
    await time.advance(61);
    expect(sent.settled).toBe(false);
    expect(limiter.waiting).toBe(1);
    // Sent now, WeCom would have answered 0 and dropped it; the SDK has not sent it at all.
    expect(h.emu.control.calls({ path: '/cgi-bin/message/send' })).toHaveLength(31);
    expect(statuses('lina')).toEqual({ delivered: 30 });

    await time.advance(1);
    const result = await thirtyFirst;
    expect(result.invalidUsers).toEqual([]);
    expect(statuses('lina')).toEqual({ delivered: 31 });
    expect(inbox('lina').at(-1)).toMatchObject({ msgid: result.msgid, content: { content: 'message 31' }, status: 'delivered' });
    expect(waits).toHaveLength(1);
    expect(waits).toEqual([62_000]);
  });

  it('a message to several members waits for the one whose quota is used up, and reaches all of them', async () => {
    const { client, limiter, time } = quotaClient();
    for (let i = 0; i < 30; i++) await client.message.send({ toUser: ['lina'] }, text(`to lina ${i}`));
    const both = client.message.send({ toUser: ['zhangwei', 'LiNa'] }, text('to both'));
    const sent = tracked(both);
    await time.advance(0);
    expect(limiter.waiting).toBe(1);
    await time.advance(30);
    expect(sent.settled).toBe(false);
    expect(limiter.waiting).toBe(1);
    expect(statuses('zhangwei')).toEqual({});
    await time.advance(31);
    expect(sent.settled).toBe(false);
    await time.advance(1);
    await both;
    expect(statuses('zhangwei')).toEqual({ delivered: 1 });
    expect(statuses('lina')).toEqual({ delivered: 31 });
  });

  it('the 1001st message to one member in an hour waits for the hour to pass, then is delivered', async () => {
    const { client, limiter, time } = quotaClient();
    const batch = (n: number, label: string) =>
      Promise.all(Array.from({ length: n }, (_, i) => client.message.send({ toUser: ['lina'] }, text(`${label} ${i}`))));
    // 33 full minutes (990 messages), then 10 more: 1000 inside the hour, never more than 30 in a minute (and
    // its margin: the limiter frees a minute 61.5 s after its first send).
    for (let minute = 0; minute < 33; minute++) {
      await batch(30, `minute ${minute}`);
      await time.advance(62);
    }
    await batch(10, 'minute 33');
    expect(statuses('lina')).toEqual({ delivered: 1000 });

    const next = client.message.send({ toUser: ['lina'] }, text('message 1001'));
    const sent = tracked(next);
    await time.advance(0);
    expect(limiter.waiting).toBe(1);
    // The minute has room (10 of 30), the hour does not: it frees when minute 0's messages leave it, an hour and a
    // second after the end of their 30 s slice, rounded up to a slice (3,660 s after the first send).
    await time.advance(3660 - 33 * 62 - 1);
    expect(sent.settled).toBe(false);
    expect(limiter.waiting).toBe(1);
    expect(statuses('lina')).toEqual({ delivered: 1000 });

    await time.advance(1);
    await next;
    expect(statuses('lina')).toEqual({ delivered: 1001 });
  });

  it('the 21st group-robot message in a minute waits instead of meeting 45009', async () => {
    const { client, limiter, time } = quotaClient();
    const robot = client.robot(h.emu.robotKeys[0]!);
    for (let i = 1; i <= 20; i++) await robot.send(robotMessage.text(`robot ${i}`));
    const twentyFirst = robot.send(robotMessage.text('robot 21'));
    const sent = tracked(twentyFirst);
    await time.advance(0);
    expect(limiter.waiting).toBe(1);
    await time.advance(61);
    expect(sent.settled).toBe(false);
    expect(limiter.waiting).toBe(1);
    expect(h.emu.control.calls({ path: '/cgi-bin/webhook/send' })).toHaveLength(20);
    expect(h.emu.control.robotMessages()).toHaveLength(20);

    await time.advance(1);
    await twentyFirst;
    expect(h.emu.control.robotMessages().map((m) => m.content.content).at(-1)).toBe('robot 21');
    const calls = h.emu.control.calls({ path: '/cgi-bin/webhook/send' });
    expect(calls).toHaveLength(21);
    expect(calls.every((c) => c.errcode === 0)).toBe(true);
  });

  it('without the wait, the emulator drops the 31st silently — the behaviour the limiter protects against', async () => {
    // A limiter with no member quota: what an SDK without one does.
    const client = h.client({ limiter: new MemoryRateLimiter({ rules: { api: [{ limit: 10_000, windowMs: 60_000 }], member: [{ limit: 1_000_000, windowMs: 60_000 }] } }) });
    for (let i = 1; i <= 31; i++) expect((await client.message.send({ toUser: ['lina'] }, text(`message ${i}`))).msgid).not.toBe('');
    expect(statuses('lina')).toEqual({ delivered: 30, dropped: 1 });
    expect(inbox('lina').at(-1)).toMatchObject({ status: 'dropped', dropReason: 'member_minute_limit' });
  });
});

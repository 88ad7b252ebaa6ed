/**
 * The frequency limits as WeCom applies them (wecom-protocol.md §5): 45009 beyond a per-API limit, per corp and per
 * caller IP, followed by a block (60 s after the minute's limit, 60 min after the hour's) during which every call is
 * refused without counting; the app's daily message quota (seat limit × 200 person-times per natural day in
 * Beijing) and its block until midnight; 45033 for calls in flight when enabled; appchat's person-times; and the
 * counters a benchmark reads. Windows and blocks shrink with `quotaTimeScale`, so real-time tests stay short.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../cli.ts';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';

let emu: TestEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function codes(e: TestEmulator, n: number, path = '/cgi-bin/user/get') {
  const token = await e.token();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await e.call(path, { query: { userid: 'lina' }, token })).errcode);
  return out;
}

describe('per-API limits and their blocks (§5)', () => {
  it('beyond the minute\'s limit: 45009, then the API is blocked for 60 s — refused calls do not count', async () => {
    emu = await startTestEmulator({ limits: { apiPerMinute: 3 } });
    expect(await codes(emu, 4)).toEqual([0, 0, 0, 45009]);
    emu.control.advanceClock(59);
    // The window would have room again soon, but the block holds; other APIs are not blocked.
    expect(await codes(emu, 1)).toEqual([45009]);
    expect(await codes(emu, 1, '/cgi-bin/department/list')).toEqual([0]);
    expect(emu.control.stats().blocked).toEqual([{ path: '/cgi-bin/user/get', until: expect.any(Number) }]);
    emu.control.advanceClock(1);
    expect(await codes(emu, 3)).toEqual([0, 0, 0]);
  });

  it('beyond the hour\'s limit: blocked for 60 min', async () => {
    emu = await startTestEmulator({ limits: { apiPerMinute: 3, apiPerHour: 4 } });
    expect(await codes(emu, 3)).toEqual([0, 0, 0]);
    emu.control.advanceClock(61);
    expect(await codes(emu, 2)).toEqual([0, 45009]);
    emu.control.advanceClock(3599);
    expect(await codes(emu, 1)).toEqual([45009]);
    emu.control.advanceClock(1);
    expect(await codes(emu, 1)).toEqual([0]);
  });

  it('per caller IP too, with the same blocks', async () => {
    emu = await startTestEmulator({ limits: { apiPerMinutePerIp: 2, minuteBlockSeconds: 10 } });
    expect(await codes(emu, 3)).toEqual([0, 0, 45009]);
    emu.control.advanceClock(10);
    // The window (60 s) is still full for this IP.
    expect(await codes(emu, 1)).toEqual([45009]);
    emu.control.advanceClock(61);
    expect(await codes(emu, 1)).toEqual([0]);
  });

  it('quotaTimeScale shrinks windows and blocks alike: "a minute" in 60 ms, its block in 60 ms', async () => {
    emu = await startTestEmulator({ limits: { apiPerMinute: 2, quotaTimeScale: 0.001 } });
    expect(await codes(emu, 3)).toEqual([0, 0, 45009]);
    await new Promise((resolve) => setTimeout(resolve, 130));
    expect(await codes(emu, 2)).toEqual([0, 0]);
  });

  it('45033 when more calls of one API are in flight than limits.concurrentPerApi', async () => {
    emu = await startTestEmulator({ limits: { concurrentPerApi: 2 } });
    const token = await emu.token();
    emu.control.setLatency(100);
    const results = await Promise.all(Array.from({ length: 4 }, () => emu!.call('/cgi-bin/user/get', { query: { userid: 'lina' }, token })));
    expect(results.map((r) => r.errcode).sort()).toEqual([0, 0, 45033, 45033]);
    expect(emu.control.stats().errcodes).toMatchObject({ 45033: 2 });
  });
});

describe('the app\'s daily message quota: seat limit × 200 person-times (§5)', () => {
  const ten = ['zhangwei', 'lina', 'wangfang', 'liuyang', 'linxiao', 'chenjie', 'yangmin', 'zhaolei', 'guojun', 'huangjing'];

  it('counts members reached, answers 45009 beyond, and stays refused until midnight in Beijing', async () => {
    // 09:00 in Beijing on a Monday.
    emu = await startTestEmulator({ limits: { seatLimit: 1 }, now: () => Date.UTC(2030, 0, 7, 1) });
    for (let i = 0; i < 20; i++) expect((await emu.send({ touser: ten.join('|'), msgtype: 'text', text: { content: `round ${i}` } })).errcode).toBe(0);
    expect(emu.control.stats().dailyMessages[0]).toMatchObject({ used: 200, limit: 200, resetsAt: Date.UTC(2030, 0, 7, 16) });
    const over = await emu.send({ touser: 'zhangwei', msgtype: 'text', text: { content: 'one more' } });
    expect(over).toMatchObject({ errcode: 45009 });
    expect(emu.control.messages({ userid: 'zhangwei' }).map((m) => m.content)).not.toContainEqual({ content: 'one more' });
    emu.control.advanceClock(15 * 3600 - 1); // 23:59:59
    expect((await emu.send({ touser: 'zhangwei', msgtype: 'text', text: { content: 'still today' } })).errcode).toBe(45009);
    emu.control.advanceClock(1);
    expect((await emu.send({ touser: 'zhangwei', msgtype: 'text', text: { content: 'tomorrow' } })).errcode).toBe(0);
    expect(emu.control.stats().dailyMessages[0]).toMatchObject({ used: 1 });
  });

  it('seatLimit 0 does not enforce it; the demo company has 200 seats (40,000 a day)', async () => {
    emu = await startTestEmulator({ limits: { seatLimit: 0 } });
    expect(emu.control.stats().dailyMessages[0]!.limit).toBeNull();
    await emu.close();
    emu = await startTestEmulator();
    expect(emu.control.stats().dailyMessages[0]!.limit).toBe(40_000);
  });
});

describe('appchat (§5)', () => {
  it('send counts the group\'s size against 20,000 person-times a minute; a member beyond 200 a minute is dropped silently', async () => {
    emu = await startTestEmulator({ limits: { appchatSendPerMinute: 5, appchatMemberPerMinute: 1 } });
    const token = await emu.token();
    const created = await emu.call('/cgi-bin/appchat/create', { body: { userlist: ['zhangwei', 'lina'], name: '面试' }, token });
    const send = (content: string) => emu!.call('/cgi-bin/appchat/send', { body: { chatid: created.chatid, msgtype: 'text', text: { content } }, token });
    expect((await send('1')).errcode).toBe(0);
    expect((await send('2')).errcode).toBe(0); // answered 0, but each member already had their one a minute
    // Person-times: 4 of 5 used; a group of 2 does not fit.
    expect((await send('3')).errcode).toBe(45009);
    emu.control.advanceClock(61);
    expect((await send('4')).errcode).toBe(0);
    expect(emu.control.messages({ userid: 'lina' }).map((m) => [m.content, m.status])).toEqual([
      [{ content: '1' }, 'delivered'],
      [{ content: '2' }, 'dropped'],
      [{ content: '4' }, 'delivered'],
    ]);
  });

  it('create: 1,000 a day per corp; update: 1,000 an hour', async () => {
    emu = await startTestEmulator({ limits: { appchatCreatePerDay: 1, appchatUpdatePerHour: 1 } });
    const token = await emu.token();
    const create = () => emu!.call('/cgi-bin/appchat/create', { body: { userlist: ['zhangwei', 'lina'] }, token });
    const first = await create();
    expect(first.errcode).toBe(0);
    expect((await create()).errcode).toBe(45009);
    const update = () => emu!.call('/cgi-bin/appchat/update', { body: { chatid: first.chatid, name: 'x' }, token });
    expect((await update()).errcode).toBe(0);
    expect((await update()).errcode).toBe(45009);
  });
});

describe('stats and the CLI', () => {
  it('counts every errcode however many calls the log keeps, and forgets them on reset', async () => {
    emu = await startTestEmulator({ limits: { apiPerMinute: 2 }, callLogSize: 1 });
    await codes(emu, 4);
    expect(emu.control.stats()).toMatchObject({ calls: 5, errcodes: { 0: 3, 45009: 2 } });
    emu.control.reset();
    expect(emu.control.stats()).toMatchObject({ calls: 0, errcodes: {} });
  });

  it('--seat-limit and --limits set the limits; bad values say what to fix', () => {
    expect(parseCliArgs(['--seat-limit', '500', '--limits', '{"apiPerMinute":600,"quotaTimeScale":0.1}'])).toMatchObject({
      limits: { seatLimit: 500, apiPerMinute: 600, quotaTimeScale: 0.1 },
    });
    expect(() => parseCliArgs(['--limits', '[1]'])).toThrow(/--limits must be a JSON object/);
    expect(() => parseCliArgs(['--seat-limit', 'many'])).toThrow(/--seat-limit must be an integer/);
  });

  it('an unknown or negative limit is refused with the names of the limits', async () => {
    await expect(startTestEmulator({ limits: { apiPerMinut: 1 } as never })).rejects.toThrow(/limits.apiPerMinut is not a limit; the limits are apiPerMinute/);
    await expect(startTestEmulator({ limits: { apiPerMinute: -1 } })).rejects.toThrow(/limits.apiPerMinute must be a whole number ≥ 0/);
  });
});

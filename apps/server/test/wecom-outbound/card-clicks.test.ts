/**
 * The cards end to end, outbound and inbound glue together: Pairview sends the cards (this glue), a member
 * clicks in the emulator's console, the emulator calls Pairview back (the inbound glue records the answer or
 * the decision and answers the clicker's card), and the decision's notification greys out every decision card
 * of the interview — "Advanced by 孙丽" for everyone, so nobody can click a stale card.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Logger, runOnce } from 'graphile-worker';
import { sql } from 'kysely';
import type { MemberPrincipal } from '../../src/auth/principal.ts';
import { systemClock } from '../../src/clock.ts';
import { createInterview } from '../../src/interviews/service.ts';
import { notificationTasks } from '../../src/notifications/tasks.ts';
import { submitScorecard } from '../../src/scorecards/service.ts';
import { createCallbackPlugin, inboundTasks, type CallbackPlugin } from '../../src/wecom/inbound/index.ts';
import { startGlueHarness, type GlueHarness } from '../../src/wecom/inbound/test-harness.ts';
import { createOAuthPlugin } from '../../src/wecom/oauth/index.ts';
import { createWeComNotifier } from '../../src/wecom/outbound/index.ts';

const silent = new Logger(() => () => {});

describe('card clicks, outbound and inbound together', () => {
  let h: GlueHarness;
  let plugin: CallbackPlugin;
  const ids: Record<string, string> = {};

  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });
  beforeEach(async () => {
    vi.setSystemTime(new Date('2030-01-07T02:00:00.000Z'));
    h = await startGlueHarness('pv_card_clicks');
    plugin = createCallbackPlugin(h.deps);
    await h.serve([plugin, createOAuthPlugin(h.deps)]);
    for (const [userid, name, roles] of [
      ['maqian', '马倩', ['recruiter']],
      ['sunli', '孙丽', ['hiring_manager']],
      ['zhangwei', '张伟', []],
      ['lina', '李娜', []],
    ] as const) {
      const row = await h.database.db.insertInto('people').values({ wecom_userid: userid, name, roles: [...roles] }).returning('id').executeTakeFirstOrThrow();
      ids[userid] = row.id;
    }
  });
  afterEach(async () => {
    await h.close();
  });

  /** Every due job of both glues, until none is left (delivery, scheduled checks, callback handling). */
  async function runJobs() {
    await plugin.idle();
    const taskList = { ...notificationTasks({ db: h.database.db, clock: systemClock, timeZone: 'Asia/Shanghai', notifier: createWeComNotifier(h.deps) }), ...inboundTasks(h.deps) };
    for (let round = 0; round < 20; round++) {
      await runOnce({ pgPool: h.database.pool, taskList, logger: silent, useNodeTime: true });
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(h.database.db);
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where run_at <= ${new Date()} and attempts < max_attempts`.execute(h.database.db);
      if (rows[0]!.n === 0) return;
    }
  }

  async function click(userid: string, msgid: string, key: string) {
    const response = await fetch(`${h.emu.url}/console/api/members/${userid}/cards/${encodeURIComponent(msgid)}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'button', key }),
    });
    return { status: response.status, body: (await response.json()) as { delivery?: { status: string; reply?: { replaceName?: string } } } };
  }

  const cards = (userid: string) => h.emu.control.messages({ userid }).filter((m) => m.msgtype === 'template_card');

  it('Accept from the invitation card; Advance from the decision card updates every decision card for everyone', async () => {
    const recruiterRow = await h.database.db.selectFrom('people').selectAll().where('id', '=', ids.maqian!).executeTakeFirstOrThrow();
    const recruiter: MemberPrincipal = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };
    const { interviewId } = await createInterview({ db: h.database.db, clock: systemClock }, recruiter, {
      candidate: { name: '王小明' },
      position: '后端工程师',
      startsAt: new Date('2030-01-07T06:00:00.000Z'),
      durationMinutes: 60,
      interviewerIds: [ids.zhangwei!, ids.lina!],
      hiringManagerId: ids.sunli!,
    });
    await runJobs();

    // The interviewer accepts from the card: Pairview records it, the card says so.
    const [invitation] = cards('zhangwei');
    const accepted = await click('zhangwei', invitation!.msgid, `invite:accept:${interviewId}`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.delivery).toMatchObject({ status: 'delivered', reply: { replaceName: '已接受' } });
    await runJobs();
    const seat = await h.database.db
      .selectFrom('interview_interviewers')
      .select('response')
      .where('interview_id', '=', interviewId)
      .where('person_id', '=', ids.zhangwei!)
      .executeTakeFirstOrThrow();
    expect(seat.response).toBe('accepted');

    // The answer replaced the button row (Accept / Decline / Join) with "已接受", but the interviewer can still
    // join from the card: tapping the card (card_action, kept by update_button, §3.2) opens the same sign-in
    // link to the room as the Join button did, and the console shows it on the answered card.
    const [answered] = cards('zhangwei');
    expect(answered!.card?.replaceName).toBe('已接受');
    const sent = answered!.content as { card_action: { type: number; url: string }; button_list: { type?: number; url?: string }[] };
    const join = sent.button_list.find((b) => b.type === 1)!.url!;
    expect(sent.card_action).toEqual({ type: 1, url: join });
    expect(new URL(join).pathname).toBe('/auth/wecom/start');
    expect(new URL(join).searchParams.get('redirect')).toMatch(new RegExp(`^/interviews/${interviewId}/room\\?`));
    const phone = await (await fetch(`${h.emu.consoleUrl}?userid=zhangwei`)).text();
    const answeredCard = phone.slice(phone.indexOf(`data-task-id="${(sent as unknown as { task_id: string }).task_id}"`));
    expect(answeredCard.slice(0, answeredCard.indexOf('</form>'))).toMatch(/class="card-btn replaced" disabled>已接受<[\s\S]*class="card-action"><a [^>]*href="[^"]*\/auth\/wecom\/start\?redirect=/);
    const signIn = await fetch(join, { redirect: 'manual' });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')!.startsWith(h.emu.url)).toBe(true); // WeCom's sign-in, then the room

    // After the interview both scorecards come in: two decision cards each for the recruiter and the manager.
    vi.setSystemTime(new Date('2030-01-07T07:05:00.000Z'));
    await submitScorecard({ db: h.database.db, clock: systemClock }, interviewId, ids.zhangwei!, { rating: 'strong_yes', skillNotes: [], summary: '' });
    await submitScorecard({ db: h.database.db, clock: systemClock }, interviewId, ids.lina!, { rating: 'yes', skillNotes: [], summary: '' });
    await runJobs();
    expect(cards('sunli')).toHaveLength(2);
    expect(cards('maqian')).toHaveLength(2);

    // The hiring manager decides from the second card.
    const decided = await click('sunli', cards('sunli')[1]!.msgid, `decision:advance:${interviewId}`);
    expect(decided.body.delivery).toMatchObject({ status: 'delivered', reply: { replaceName: '已推进' } });
    await runJobs();
    expect(await h.database.db.selectFrom('decisions').select(['decision', 'decided_by']).where('interview_id', '=', interviewId).executeTakeFirst()).toEqual({
      decision: 'advance',
      decided_by: ids.sunli,
    });
    for (const userid of ['sunli', 'maqian']) {
      for (const card of cards(userid)) expect(card.card?.replaceName, userid).toBe('已推进 · 孙丽');
    }
    // The recruiter's card is closed: a late click on it is refused by the client, nothing is recorded twice.
    const late = await click('maqian', cards('maqian')[0]!.msgid, `decision:reject:${interviewId}`);
    expect(late.status).toBe(409);
    expect(await h.database.db.selectFrom('decisions').select('decision').where('interview_id', '=', interviewId).execute()).toEqual([{ decision: 'advance' }]);
  });
});

/**
 * Each outbound row of product.md's "The WeCom loop", end to end: a domain change or a scheduled job writes the
 * outbox, the real deliver_notification task runs, and the right member's inbox in the emulator shows the right
 * message at the right time — in Chinese and in English.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecisionValue } from '../../src/db/schema.ts';
import { cancelInterview, createInterview, rescheduleInterview, respondToInvitation, updateInterview } from '../../src/interviews/service.ts';
import { enqueueNotification } from '../../src/notifications/outbox.ts';
import { recordDecision, submitScorecard } from '../../src/scorecards/service.ts';
import { ensureDigestPlanned } from '../../src/notifications/tasks.ts';
import { outboundDb } from '../../src/wecom/outbound/tables.ts';
import { buildTestApp } from '../helpers.ts';
import { clock, createHarness, outboxRows, shownText, TZ, type Harness } from './harness.ts';

const START = '2030-01-07T02:00:00.000Z'; // Monday 10:00 in Shanghai
const INTERVIEW_AT = '2030-01-08T06:00:00.000Z'; // Tuesday 14:00–15:00 in Shanghai

const WORDS = {
  zh: {
    inviteTitle: '面试邀请：Li Ming',
    slot: '1月8日 周二 14:00–15:00',
    buttons: ['接受', '拒绝', '进入面试间'],
    rescheduledTitle: '面试改期：Li Ming',
    movedSlot: '1月9日 周三 14:00–15:00',
    closed: { rescheduled: '已改期', cancelled: '已取消', removed: '已移除' },
    declined: '李娜 拒绝了面试邀请',
    accepted: '张伟 接受了面试邀请：Li Ming（Backend engineer），1月8日 周二 14:00–15:00。',
    openInterview: '查看面试',
    pickReplacement: '选择替补面试官',
    reminder: '15 分钟后面试：Li Ming',
    joined: '候选人 Li Ming 已进入面试间',
    late: '候选人尚未进入：Li Ming',
    feedback: '请填写面试反馈：Li Ming',
    round1: '第 1/5 次提醒',
    scorecardTitle: '面试反馈：Li Ming',
    decisionButtons: ['推进', '再加一轮', '拒绝'],
    rating: '强烈推荐',
    advancedBy: '已推进 · 孙丽',
    rejectedBy: '已拒绝 · 马倩',
    cancelled: '面试已取消：Li Ming',
    reason: '原因：候选人已接受其他工作',
    removed: '你已不在这场面试的面试官名单中',
    updated: '面试信息已更新：Li Ming',
    digest: '**今日面试（1月8日 周二）**',
    welcome: '欢迎使用 Pairview 面试助手',
    today: '**今天的面试（1月8日 周二）**',
    week: '**本周的面试（1月7日 周一 – 1月13日 周日）**',
    pending: '**待填写的面试反馈**',
    help: '待面评 / pending — 待填写的面试反馈',
    unknown: '没有听懂这条消息。',
    noneToday: '今天没有面试。',
  },
  en: {
    inviteTitle: 'Interview: Li Ming',
    slot: 'Tue 8 Jan 14:00–15:00',
    buttons: ['Accept', 'Decline', 'Join room'],
    rescheduledTitle: 'Interview moved: Li Ming',
    movedSlot: 'Wed 9 Jan 14:00–15:00',
    closed: { rescheduled: 'Rescheduled', cancelled: 'Cancelled', removed: 'Removed' },
    declined: 'Na Li declined the interview',
    accepted: 'Wei Zhang accepted the interview: Li Ming (Backend engineer), Tue 8 Jan 14:00–15:00.',
    openInterview: 'Open the interview',
    pickReplacement: 'Pick a replacement',
    reminder: 'Interview in 15 minutes: Li Ming',
    joined: 'Li Ming has joined the room',
    late: 'Candidate not here yet: Li Ming',
    feedback: 'Write your feedback: Li Ming',
    round1: 'Reminder 1 of 5',
    scorecardTitle: 'Feedback: Li Ming',
    decisionButtons: ['Advance', 'Add round', 'Reject'],
    rating: 'Strong yes',
    advancedBy: 'Advanced by Li Sun',
    rejectedBy: 'Rejected by Qian Ma',
    cancelled: 'Interview cancelled: Li Ming',
    reason: 'Reason: 候选人已接受其他工作',
    removed: 'You are no longer on the panel of this interview',
    updated: 'Interview changed: Li Ming',
    digest: "**Today's interviews (Tue 8 Jan)**",
    welcome: 'Welcome to Pairview!',
    today: "**Today's interviews (Tue 8 Jan)**",
    week: "**This week's interviews (Mon 7 Jan – Sun 13 Jan)**",
    pending: '**Feedback to write**',
    help: 'pending / 待面评 — feedback you still owe',
    unknown: 'Sorry, I did not understand that.',
    noneToday: 'No interviews today.',
  },
} as const;

/** The sign-in link to a page, as it appears in messages (the page path carries the outbox id as `m`). */
function signInLink(path: string): RegExp {
  const encoded = encodeURIComponent(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`https://pairview\\.example\\.com/auth/wecom/start\\?redirect=${encoded}%3Fm%3D[0-9a-f-]{36}`);
}

describe.each(['zh', 'en'] as const)('the WeCom loop in %s', (locale) => {
  const w = WORDS[locale];
  let h: Harness;

  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });
  beforeEach(async () => {
    vi.setSystemTime(new Date(START));
    h = await createHarness({ locale });
  });
  afterEach(async () => {
    await h.close();
  });

  const ctx = () => ({ db: h.database.db, clock });

  async function schedule(startsAt = INTERVIEW_AT) {
    const { interviewId } = await createInterview(ctx(), h.recruiter, {
      candidate: { name: 'Li Ming' },
      position: 'Backend engineer',
      startsAt: new Date(startsAt),
      durationMinutes: 60,
      interviewerIds: [h.ids.alice, h.ids.bob],
      hiringManagerId: h.ids.manager,
    });
    return interviewId;
  }

  const delivered = (member: Parameters<Harness['inbox']>[0]) => h.inbox(member).filter((m) => m.status === 'delivered');
  const cardsOf = (member: Parameters<Harness['inbox']>[0]) => h.inbox(member).filter((m) => m.msgtype === 'template_card');
  const textcardsTitled = (member: Parameters<Harness['inbox']>[0], title: string) =>
    delivered(member).filter((m) => m.msgtype === 'textcard' && (m.content as { title: string }).title === title);

  it('interview scheduled: each interviewer gets the card with Accept / Decline (agreed keys) and Join room; nobody else', async () => {
    const id = await schedule();
    await h.runAt('2030-01-07T02:00:01.000Z');

    for (const member of ['alice', 'bob'] as const) {
      const [card] = delivered(member);
      expect(card).toBeDefined();
      expect(delivered(member)).toHaveLength(1);
      expect(card!.msgtype).toBe('template_card');
      const tc = card!.content as Record<string, any>;
      expect(tc.card_type).toBe('button_interaction');
      expect(tc.main_title.title).toBe(w.inviteTitle);
      expect(tc.main_title.desc).toBe('Backend engineer');
      expect(shownText(card!)).toContain(w.slot);
      expect(shownText(card!)).toContain(locale === 'zh' ? '60 分钟' : '60 min');
      expect(tc.button_list.map((b: { text: string }) => b.text)).toEqual(w.buttons);
      expect(tc.button_list[0].key).toBe(`invite:accept:${id}`);
      expect(tc.button_list[1].key).toBe(`invite:decline:${id}`);
      expect(tc.button_list[2]).toMatchObject({ type: 1, url: expect.stringMatching(signInLink(`/interviews/${id}/room`)) });
      expect(tc.card_action.url).toMatch(signInLink(`/interviews/${id}/room`));
      expect(card!.responseCode).toBeTruthy();
    }
    expect(delivered('recruiter')).toEqual([]);
    expect(delivered('manager')).toEqual([]);

    // The card registry has one card per interviewer, with the response_code WeCom returned.
    const cards = await outboundDb(h.database.db).selectFrom('wecom_cards').selectAll().orderBy('wecom_userid').execute();
    expect(cards.map((c) => [c.kind, c.wecom_userid, c.interview_id])).toEqual([
      ['invite', 'lina', id],
      ['invite', 'zhangwei', id],
    ]);
    expect(cards[1]!.response_code).toBe(delivered('alice')[0]!.responseCode);
    expect(cards[1]!.task_id).toBe((delivered('alice')[0]!.content as { task_id: string }).task_id);
    const [row] = await outboxRows(h);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, errcode: null });
    expect(row!.msgid!.split(',')).toHaveLength(2);
  });

  it('an interviewer declines: the recruiter gets a text with a link to pick a replacement', async () => {
    const id = await schedule();
    await h.runAt('2030-01-07T02:00:01.000Z');
    await respondToInvitation(ctx(), id, h.ids.bob, 'declined');
    await h.runAt('2030-01-07T02:05:00.000Z');
    const [notice] = delivered('recruiter');
    expect(notice!.msgtype).toBe('text');
    const content = (notice!.content as { content: string }).content;
    expect(content).toContain(w.declined);
    expect(content).toContain(w.slot);
    expect(content).toMatch(new RegExp(`<a href="${signInLink(`/interviews/${id}/edit`).source}">${w.pickReplacement}</a>`));
  });

  it('an interviewer accepts: the recruiter gets a text with a link to the interview; answering again sends nothing', async () => {
    const id = await schedule();
    await h.runAt('2030-01-07T02:00:01.000Z');
    await respondToInvitation(ctx(), id, h.ids.alice, 'accepted');
    await respondToInvitation(ctx(), id, h.ids.alice, 'accepted');
    await h.runAt('2030-01-07T02:05:00.000Z');
    const notices = delivered('recruiter');
    expect(notices.map((m) => m.msgtype)).toEqual(['text']);
    const content = (notices[0]!.content as { content: string }).content;
    expect(content).toContain(w.accepted);
    expect(content).toMatch(new RegExp(`<a href="${signInLink(`/interviews/${id}`).source}">${w.openInterview}</a>`));
    expect(delivered('manager')).toEqual([]);
  });

  it('15 minutes before the start: a reminder textcard with the Join link, not a minute earlier, not to who declined', async () => {
    const id = await schedule();
    await respondToInvitation(ctx(), id, h.ids.bob, 'declined');
    await h.runAt('2030-01-08T05:44:59.000Z');
    expect(delivered('alice').map((m) => m.msgtype)).toEqual(['template_card']);
    await h.runAt('2030-01-08T05:45:00.000Z');
    const reminder = delivered('alice')[1]!;
    expect(reminder.msgtype).toBe('textcard');
    const tc = reminder.content as { title: string; description: string; url: string };
    expect(tc.title).toBe(w.reminder);
    expect(tc.description).toContain(w.slot);
    expect(tc.url).toMatch(signInLink(`/interviews/${id}/room`));
    expect(delivered('bob').map((m) => m.msgtype)).toEqual(['template_card']);
    expect(reminder.sentAt).toBe(Date.parse('2030-01-08T05:45:00.000Z'));
  });

  it('the candidate opens the room: the panel gets "candidate joined"', async () => {
    const { interviewId: id, candidateLinkToken } = await createInterview(ctx(), h.recruiter, {
      candidate: { name: 'Li Ming' },
      position: 'Backend engineer',
      startsAt: new Date(INTERVIEW_AT),
      durationMinutes: 60,
      interviewerIds: [h.ids.alice, h.ids.bob],
      hiringManagerId: h.ids.manager,
    });
    await h.runAt('2030-01-08T05:58:00.000Z');
    // Through the candidate's own route, as the room page calls it.
    const app = await buildTestApp(h.database, { clock, config: h.config });
    try {
      const join = await app.inject({ method: 'POST', url: `/api/room-links/${candidateLinkToken}/join`, payload: { name: 'Li Ming' } });
      expect(join.json()).toEqual({ joined: true, firstJoin: true });
    } finally {
      await app.close();
    }
    await h.runAt('2030-01-08T05:58:01.000Z');
    for (const member of ['alice', 'bob'] as const) {
      const last = delivered(member).at(-1)!;
      expect(last.msgtype).toBe('text');
      expect((last.content as { content: string }).content).toContain(w.joined);
    }
    await h.runAt('2030-01-08T06:05:00.000Z'); // no "late" notice for a candidate who is there
    expect(delivered('recruiter')).toEqual([]);
  });

  it('candidate absent 5 minutes after the start: interviewers and the recruiter get "candidate late"', async () => {
    const id = await schedule();
    await h.runAt('2030-01-08T06:04:59.000Z');
    expect(delivered('recruiter')).toEqual([]);
    await h.runAt('2030-01-08T06:05:00.000Z');
    for (const member of ['alice', 'bob', 'recruiter'] as const) {
      const last = delivered(member).at(-1)!;
      expect(last.msgtype).toBe('textcard');
      expect((last.content as { title: string }).title).toBe(w.late);
      expect((last.content as { url: string }).url).toMatch(signInLink(`/interviews/${id}/room`));
    }
    expect(delivered('manager')).toEqual([]);
  });

  it('no scorecard 1 h after the end: "write your feedback", round 1 of 5, only to who owes it', async () => {
    const id = await schedule();
    await h.runAt('2030-01-08T06:30:00.000Z');
    await submitScorecard(ctx(), id, h.ids.alice, { rating: 'yes', skillNotes: [], summary: '' });
    await h.runAt('2030-01-08T07:59:59.000Z');
    expect(textcardsTitled('bob', w.feedback)).toEqual([]);
    await h.runAt('2030-01-08T08:00:00.000Z');
    const [chaser] = textcardsTitled('bob', w.feedback);
    const tc = chaser!.content as { title: string; description: string; url: string };
    expect(tc.title).toBe(w.feedback);
    expect(tc.description).toContain(w.round1);
    expect(tc.url).toMatch(signInLink(`/interviews/${id}`));
    expect(textcardsTitled('alice', w.feedback)).toEqual([]);
    // The next one a day later is round 2.
    await h.runAt('2030-01-09T08:00:00.000Z');
    expect(textcardsTitled('bob', w.feedback).map((m) => (m.content as { description: string }).description)).toEqual([
      expect.stringContaining(w.round1),
      expect.stringContaining(locale === 'zh' ? '第 2/5 次提醒' : 'Reminder 2 of 5'),
    ]);
    // Daily until the fifth; then no more, however long it stays missing.
    for (const day of ['10', '11', '12', '13', '14']) await h.runAt(`2030-01-${day}T08:00:00.000Z`);
    const rounds = textcardsTitled('bob', w.feedback);
    expect(rounds).toHaveLength(5);
    expect(rounds.map((m) => m.sentAt)).toEqual(['08', '09', '10', '11', '12'].map((day) => Date.parse(`2030-01-${day}T08:00:00.000Z`)));
    expect((rounds[4]!.content as { description: string }).description).toContain(locale === 'zh' ? '第 5/5 次提醒' : 'Reminder 5 of 5');
    expect(textcardsTitled('alice', w.feedback)).toEqual([]);
  });

  it('scorecard submitted: recruiter and hiring manager get the decision card; the decision updates every card for everyone', async () => {
    const id = await schedule();
    await h.runAt('2030-01-08T07:00:00.000Z');
    await submitScorecard(ctx(), id, h.ids.alice, { rating: 'strong_yes', skillNotes: [], summary: 'Clean code' });
    await h.runAt('2030-01-08T07:00:01.000Z');
    await submitScorecard(ctx(), id, h.ids.bob, { rating: 'yes', skillNotes: [], summary: '' });
    await h.runAt('2030-01-08T07:00:02.000Z');

    for (const member of ['recruiter', 'manager'] as const) {
      const cards = cardsOf(member);
      expect(cards.map((c) => (c.content as { card_type: string }).card_type)).toEqual(['button_interaction', 'button_interaction']);
      const tc = cards[0]!.content as Record<string, any>;
      expect(tc.main_title.title).toBe(w.scorecardTitle);
      expect(shownText(cards[0]!)).toContain(w.rating);
      expect(shownText(cards[0]!)).toContain('Clean code');
      expect(tc.button_list.map((b: { text: string }) => b.text)).toEqual(w.decisionButtons);
      expect(tc.button_list.map((b: { key: string }) => b.key)).toEqual(
        (['advance', 'another_round', 'reject'] satisfies DecisionValue[]).map((d) => `decision:${d}:${id}`),
      );
      expect(tc.card_action.url).toMatch(signInLink(`/interviews/${id}`));
    }
    // The second card sums both ratings up.
    expect(shownText(cardsOf('manager')[1]!)).toContain(locale === 'zh' ? '强烈推荐 1 · 推荐 1' : 'Strong yes 1 · Yes 1');

    await recordDecision(ctx(), id, h.ids.manager, 'advance');
    await h.runAt('2030-01-08T07:10:00.000Z');
    for (const member of ['recruiter', 'manager'] as const) {
      const cards = cardsOf(member);
      expect(cards).toHaveLength(2); // updated in place, no new message
      expect(h.inbox(member).filter((m) => m.msgtype === 'text')).toEqual([]);
      for (const card of cards) expect(card.card?.replaceName).toBe(w.advancedBy);
    }
    const decisionRow = (await outboxRows(h)).find((r) => r.kind === 'decision_recorded');
    expect(decisionRow).toMatchObject({ status: 'sent', msgid: null });
  });

  it('a decision card without an updatable code: the recipient is told by text; a late scorecard shows the decision, no buttons', async () => {
    const id = await schedule();
    await h.runAt('2030-01-08T07:00:00.000Z');
    await submitScorecard(ctx(), id, h.ids.alice, { rating: 'no', skillNotes: [], summary: '' });
    await h.runAt('2030-01-08T07:00:01.000Z');
    // 73 hours later every response_code has expired (72 h, §3.6).
    await recordDecision(ctx(), id, h.ids.recruiter, 'reject');
    await h.runAt('2030-01-11T08:00:00.000Z');
    const managerInbox = delivered('manager');
    expect(managerInbox.at(-1)!.msgtype).toBe('text');
    expect((managerInbox.at(-1)!.content as { content: string }).content).toContain(w.rejectedBy);
    expect(delivered('recruiter').filter((m) => m.msgtype === 'text')).toEqual([]); // the decider needs no notice

    await submitScorecard(ctx(), id, h.ids.bob, { rating: 'yes', skillNotes: [], summary: '' });
    await h.runAt('2030-01-11T08:00:01.000Z');
    const late = delivered('manager').at(-1)!;
    expect((late.content as { card_type: string }).card_type).toBe('text_notice');
    expect(shownText(late)).toContain(w.rejectedBy);
  });

  it('rescheduled: the old card is greyed out and a new card shows the move; cancelled: cards greyed out and a text notice', async () => {
    const id = await schedule();
    await h.runAt('2030-01-07T02:00:01.000Z');
    await rescheduleInterview(ctx(), id, { version: 1, startsAt: new Date('2030-01-09T06:00:00.000Z') });
    await h.runAt('2030-01-07T02:10:00.000Z');

    for (const member of ['alice', 'bob'] as const) {
      const [first, second] = h.inbox(member);
      expect(first!.card?.replaceName).toBe(w.closed.rescheduled);
      const tc = second!.content as Record<string, any>;
      expect(tc.main_title.title).toBe(w.rescheduledTitle);
      expect(tc.sub_title_text).toContain(w.slot);
      expect(tc.sub_title_text).toContain(w.movedSlot);
      expect(tc.button_list[0].key).toBe(`invite:accept:${id}`);
      expect(second!.card?.replaceName).toBeUndefined();
    }

    await cancelInterview(ctx(), id, { version: 2, reason: '候选人已接受其他工作' });
    await h.runAt('2030-01-07T02:20:00.000Z');
    for (const member of ['alice', 'bob'] as const) {
      const items = h.inbox(member);
      expect(items.map((m) => m.msgtype)).toEqual(['template_card', 'template_card', 'text']);
      expect(items[0]!.card?.replaceName).toBe(w.closed.rescheduled);
      expect(items[1]!.card?.replaceName).toBe(w.closed.cancelled);
      const text = (items[2]!.content as { content: string }).content;
      expect(text).toContain(w.cancelled);
      expect(text).toContain(w.reason);
      expect(text).toContain(w.movedSlot);
    }
  });

  it('interviewer removed: their card is greyed out and they are told; details changed: the others get the update', async () => {
    const id = await schedule();
    await h.runAt('2030-01-07T02:00:01.000Z');
    await updateInterview(ctx(), id, { version: 1, interviewerIds: [h.ids.alice, h.ids.carol], position: 'Staff engineer' });
    await h.runAt('2030-01-07T02:10:00.000Z');

    const bob = h.inbox('bob');
    expect(bob.map((m) => m.msgtype)).toEqual(['template_card', 'text']);
    expect(bob[0]!.card?.replaceName).toBe(w.closed.removed);
    expect((bob[1]!.content as { content: string }).content).toContain(w.removed);

    const carol = delivered('carol');
    expect(carol.map((m) => m.msgtype)).toEqual(['template_card']);
    expect((carol[0]!.content as { main_title: { desc: string } }).main_title.desc).toBe('Staff engineer');

    const alice = delivered('alice');
    expect(alice.map((m) => m.msgtype)).toEqual(['template_card', 'textcard']);
    expect((alice[1]!.content as { title: string }).title).toBe(w.updated);
    expect((alice[1]!.content as { description: string }).description).toContain('Staff engineer');
    expect(alice[0]!.card?.replaceName).toBeUndefined();
  });

  it('09:00 on a working day: each interviewer with interviews today gets a markdown digest', async () => {
    const id = await schedule();
    await ensureDigestPlanned(h.database.db, clock, TZ);
    await h.runAt('2030-01-08T00:59:59.000Z');
    expect(delivered('alice').map((m) => m.msgtype)).toEqual(['template_card']);
    await h.runAt('2030-01-08T01:00:00.000Z'); // Tuesday 09:00 Shanghai
    for (const member of ['alice', 'bob'] as const) {
      const digest = delivered(member).at(-1)!;
      expect(digest.msgtype).toBe('markdown');
      const content = (digest.content as { content: string }).content;
      expect(content.split('\n')[0]).toBe(w.digest);
      expect(content).toContain('> 14:00–15:00 [Li Ming · Backend engineer](');
      expect(content).toMatch(signInLink(`/interviews/${id}/room`));
    }
    expect(delivered('recruiter')).toEqual([]);

    // Working days only: a Saturday interview gets no 09:00 digest (nor do the days without interviews).
    await schedule('2030-01-12T06:00:00.000Z');
    for (const day of ['09', '10', '11', '12', '13']) await h.runAt(`2030-01-${day}T01:00:00.000Z`);
    for (const member of ['alice', 'bob'] as const) expect(delivered(member).filter((m) => m.msgtype === 'markdown')).toHaveLength(1);
    await schedule('2030-01-14T06:00:00.000Z'); // Monday: its digest comes
    await h.runAt('2030-01-14T01:00:00.000Z');
    const monday = delivered('alice').filter((m) => m.msgtype === 'markdown');
    expect(monday).toHaveLength(2);
    expect(monday[1]!.sentAt).toBe(Date.parse('2030-01-14T01:00:00.000Z'));
  });

  it('welcome and bot replies: today, week, pending, help, unknown', async () => {
    await schedule(); // Tuesday
    await h.runAt('2030-01-07T02:00:01.000Z');
    const send = async (notification: Parameters<typeof enqueueNotification>[1]) => {
      await h.database.db.transaction().execute((tx) => enqueueNotification(tx, notification));
    };
    await send({ kind: 'welcome', recipients: [h.ids.alice] });
    await h.runAt('2030-01-07T02:01:00.000Z');
    const welcome = delivered('alice').at(-1)!;
    expect(welcome.msgtype).toBe('text');
    expect((welcome.content as { content: string }).content).toContain(w.welcome);
    expect((welcome.content as { content: string }).content).toContain(w.help);

    // Monday: nothing today, Tuesday's interview this week.
    for (const command of ['today', 'week', 'pending', 'help', 'unknown'] as const) {
      await send({ kind: 'bot_reply', command, recipients: [h.ids.alice] });
    }
    await h.runAt('2030-01-07T02:02:00.000Z');
    const replies = delivered('alice').slice(2);
    const body = (i: number) => (replies[i]!.content as { content: string }).content;
    expect(replies.map((r) => r.msgtype)).toEqual(['text', 'markdown', 'text', 'text', 'text']);
    expect(body(0)).toContain(w.noneToday);
    expect(body(1).split('\n')[0]).toBe(w.week);
    expect(body(1)).toContain(`> ${w.slot} [Li Ming · Backend engineer](`);
    expect(body(3)).toContain(w.help);
    expect(body(4)).toContain(w.unknown);
    expect(body(4)).toContain(w.help);

    // Tuesday after the start: today lists it, pending asks for its scorecard.
    await h.runAt('2030-01-08T06:30:00.000Z');
    await send({ kind: 'bot_reply', command: 'today', recipients: [h.ids.alice] });
    await send({ kind: 'bot_reply', command: 'pending', recipients: [h.ids.alice] });
    await h.runAt('2030-01-08T06:30:01.000Z');
    const later = delivered('alice').filter((m) => m.msgtype === 'markdown').slice(-2);
    const contents = later.map((m) => (m.content as { content: string }).content);
    expect(contents.find((c) => c.startsWith(w.today))).toContain('> 14:00–15:00 [Li Ming · Backend engineer](');
    expect(contents.find((c) => c.startsWith(w.pending))).toContain(`> ${w.slot} [Li Ming · Backend engineer](`);
  });
});

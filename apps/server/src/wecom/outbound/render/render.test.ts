/**
 * The renderers as the pure functions they are: every kind, in both languages, with the longest inputs Pairview
 * accepts (200-character names and positions, ten interviewers, long summaries), passes the SDK's validation
 * of WeCom's limits; text typed by people cannot inject links or markup.
 */
import { validateMessage, type Message } from '@pairview/wecom';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../../config.ts';
import { createLinks } from '../../deps.ts';
import { clean, clip, clipBytes, type RenderEnv } from '../format.ts';
import { stringsFor } from '../i18n/index.ts';
import type { InterviewView, PersonView } from '../view.ts';
import { renderBotReply } from './bot-reply.ts';
import { renderCandidateJoined } from './candidate-joined.ts';
import { renderCandidateLate } from './candidate-late.ts';
import { renderDigest } from './daily-digest.ts';
import { decisionLabel, renderDecisionNotice } from './decision-recorded.ts';
import { renderFeedbackReminder } from './feedback-reminder.ts';
import { renderCancelled } from './interview-cancelled.ts';
import { renderReminder } from './interview-reminder.ts';
import { renderRescheduled } from './interview-rescheduled.ts';
import { renderInvitation } from './interview-scheduled.ts';
import { renderUpdated } from './interview-updated.ts';
import { renderAccepted } from './interviewer-accepted.ts';
import { renderDeclined } from './interviewer-declined.ts';
import { renderRemoved } from './interviewer-removed.ts';
import { renderScorecardCard } from './scorecard-submitted.ts';
import { renderWelcome } from './welcome.ts';

const OUTBOX = '0b9e8c1e-5d51-4c5e-9c43-1d1f7c0f2a11';
const INTERVIEW = '7f0c1a52-2b7e-4a8e-bb0c-5a2f3e9d4c61';
const long = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

function person(i: number): PersonView {
  return { id: `p${i}`, name: long('龘', 60), englishName: long('W', 60), wecomUserId: `user${i}`, active: true };
}

function worstCase(): InterviewView {
  const panel = Array.from({ length: 10 }, (_, i) => ({ ...person(i), response: 'pending' as const }));
  return {
    id: INTERVIEW,
    status: 'scheduled',
    position: long('高级后端工程师<a href="https://evil.example">', 200),
    startsAt: new Date('2030-01-08T06:00:00.000Z'),
    durationMinutes: 480,
    candidateName: long('王[小]*明`#', 200),
    cancelReason: long('原因', 2000),
    recruiter: person(20),
    hiringManager: person(21),
    panel,
    scorecards: panel.map((p, i) => ({
      id: `s${i}`,
      interviewerId: p.id,
      interviewer: p,
      rating: (['strong_no', 'no', 'yes', 'strong_yes'] as const)[i % 4]!,
      summary: long('很好的候选人。', 5000),
    })),
    decision: null,
  };
}

function env(locale: Locale): RenderEnv {
  return {
    locale,
    strings: stringsFor(locale),
    timeZone: 'Asia/Shanghai',
    links: createLinks(new URL('https://pairview.example.com')),
    ref: OUTBOX,
    now: new Date('2030-01-08T02:00:00.000Z'),
  };
}

function everyMessage(e: RenderEnv): [string, Message][] {
  const view = worstCase();
  const decided: InterviewView = { ...view, decision: { decision: 'another_round', decidedBy: person(21) } };
  const lines = Array.from({ length: 40 }, (_, i) => ({
    id: `${INTERVIEW.slice(0, -2)}${String(i).padStart(2, '0')}`,
    position: view.position,
    startsAt: new Date(Date.parse('2030-01-08T01:00:00Z') + i * 600_000),
    durationMinutes: 60,
    candidateName: view.candidateName,
  }));
  return [
    ['interview_scheduled', renderInvitation(view, e, { taskId: `inv-${OUTBOX}-${view.panel[0]!.id}` })],
    ['interview_rescheduled', renderRescheduled(view, e, { taskId: `inv-${OUTBOX}-x`, previousStartsAt: new Date('2030-01-07T06:00:00Z') })],
    ['interview_updated', renderUpdated(view, e)],
    ['interview_cancelled', renderCancelled(view, e)],
    ['interviewer_removed', renderRemoved(view, e)],
    ['interviewer_accepted', renderAccepted(view, person(3), e)],
    ['interviewer_declined', renderDeclined(view, person(3), e)],
    ['interview_reminder', renderReminder(view, e)],
    ['candidate_joined', renderCandidateJoined(view, e)],
    ['candidate_late', renderCandidateLate(view, e)],
    ['feedback_reminder', renderFeedbackReminder(view, 5, e)],
    ['scorecard_submitted', renderScorecardCard(view, view.scorecards[0]!, e, { taskId: `dec-${OUTBOX}-p1` })],
    ['scorecard_submitted (decided)', renderScorecardCard(decided, decided.scorecards[0]!, e, { taskId: `dec-${OUTBOX}-p1` })],
    ['decision_recorded', renderDecisionNotice(view, 'reject', person(21), e)],
    ['daily_digest', renderDigest('2030-01-08', lines, e)],
    ['daily_digest (empty)', renderDigest('2030-01-08', [], e)],
    ['welcome', renderWelcome(e)],
    ['bot_reply today', renderBotReply({ command: 'today', day: e.now, lines }, e)],
    ['bot_reply week', renderBotReply({ command: 'week', from: new Date('2030-01-06T16:00:00Z'), to: new Date('2030-01-13T16:00:00Z'), lines }, e)],
    ['bot_reply pending', renderBotReply({ command: 'pending', lines }, e)],
    ['bot_reply help', renderBotReply({ command: 'help' }, e)],
    ['bot_reply unknown', renderBotReply({ command: 'unknown' }, e)],
  ];
}

describe.each(['zh', 'en'] as const)('renderers (%s)', (locale) => {
  it.each(everyMessage(env(locale)))('%s fits WeCom\'s limits with the longest inputs', (_kind, message) => {
    expect(() => validateMessage(message)).not.toThrow();
  });

  it('puts no HTML, markdown or link from typed text into a message', () => {
    for (const [kind, message] of everyMessage(env(locale))) {
      const json = JSON.stringify(message);
      expect(json, kind).not.toContain('evil.example">');
      expect(json, kind).not.toContain('<a href=\\"https://evil');
      expect(json, kind).not.toContain('王[小]');
    }
  });

  it('links every message to Pairview through the sign-in route, tagged with the outbox id', () => {
    for (const [kind, message] of everyMessage(env(locale))) {
      expect(JSON.stringify(message), kind).toContain(`https://pairview.example.com/auth/wecom/start?redirect=`);
      expect(JSON.stringify(message), kind).toContain(`%3Fm%3D${OUTBOX}`);
    }
  });
});

describe('format helpers', () => {
  it('clean() turns markup characters into their full-width look-alikes and drops control characters', () => {
    expect(clean(' <a href="x">[b]*c*`d`#e\u0007 ')).toBe('＜a href="x"＞［b］＊c＊｀d｀＃e');
  });

  it('clip() counts characters, clipBytes() UTF-8 bytes, and both end a cut with …', () => {
    expect(clip('面试邀请', 4)).toBe('面试邀请');
    expect(clip('面试邀请：王小明', 5)).toBe('面试邀请…');
    expect(clipBytes('面试邀请', 12)).toBe('面试邀请');
    expect(clipBytes('面试邀请', 11)).toBe('面试…');
    expect(Buffer.byteLength(clipBytes('面'.repeat(1000), 2048))).toBeLessThanOrEqual(2048);
  });

  it('names decisions with who took them, in each language', () => {
    const zh = env('zh');
    const en = env('en');
    const sun = { name: '孙丽', englishName: 'Li Sun' };
    expect(decisionLabel('advance', sun, zh)).toBe('已推进 · 孙丽');
    expect(decisionLabel('another_round', sun, zh)).toBe('已加一轮 · 孙丽');
    expect(decisionLabel('reject', sun, en)).toBe('Rejected by Li Sun');
    expect(decisionLabel('advance', { name: '孙丽', englishName: null }, en)).toBe('Advanced by 孙丽');
  });
});

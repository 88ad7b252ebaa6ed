/**
 * From a domain notification to what each recipient gets: reads what the message shows (view.ts), decides per
 * recipient whether there is still something to say, picks the renderer, and does the card updates the
 * notification implies (greying out an invitation that no longer holds, a decision card once decided).
 * One `case` per kind, in the order of product.md's "The WeCom loop".
 */
import type { Message, WeComClient } from '@pairview/wecom';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/pool.ts';
import { interviewsOfPerson, pendingScorecards } from '../../interviews/queries.ts';
import type { DomainNotification } from '../../notifications/notification.ts';
import { localDate, localDayBounds, localWeekBounds } from '../../time.ts';
import { cardTaskId } from './card-keys.ts';
import { closeCards } from './cards.ts';
import type { RenderEnv } from './format.ts';
import { renderBotReply, type BotReplyData } from './render/bot-reply.ts';
import { renderCandidateJoined } from './render/candidate-joined.ts';
import { renderCandidateLate } from './render/candidate-late.ts';
import { renderDigest } from './render/daily-digest.ts';
import { decisionLabel, renderDecisionNotice } from './render/decision-recorded.ts';
import { renderFeedbackReminder } from './render/feedback-reminder.ts';
import { renderCancelled } from './render/interview-cancelled.ts';
import { renderReminder } from './render/interview-reminder.ts';
import { renderRescheduled } from './render/interview-rescheduled.ts';
import { renderInvitation } from './render/interview-scheduled.ts';
import { renderUpdated } from './render/interview-updated.ts';
import { renderAccepted } from './render/interviewer-accepted.ts';
import { renderDeclined } from './render/interviewer-declined.ts';
import { renderRemoved } from './render/interviewer-removed.ts';
import { renderScorecardCard } from './render/scorecard-submitted.ts';
import { renderWelcome } from './render/welcome.ts';
import type { CardKind, OutboundDb } from './tables.ts';
import { loadInterview, loadInterviewLines, loadPeople, toLine, type InterviewView, type PersonView } from './view.ts';

export interface CardMeta {
  kind: CardKind;
  taskId: string;
  interviewId: string;
  scorecardId: string | null;
}

export type RecipientStep =
  | { type: 'send'; message: Message; card?: CardMeta | undefined }
  /** Nothing to send to this recipient any more (recorded as dropped, with the reason). */
  | { type: 'drop'; reason: string }
  /** Done without a message: their card was updated, or they need nothing (the decider of a decision). */
  | { type: 'done'; via: 'card_update' | 'none' };

export interface Plan {
  /** Runs before the recipients on every attempt; safe to repeat (closed cards stay closed). */
  prepare?: () => Promise<void>;
  forRecipient(person: PersonView): Promise<RecipientStep>;
}

export interface PlanDeps {
  db: Db;
  outbound: OutboundDb;
  client: WeComClient;
  clock: Clock;
  log: { warn(message: string): void };
}

/** The whole notification has nothing to send (its interview is gone or cancelled). */
export interface DropAll {
  dropAll: string;
}

const onPanel = (view: InterviewView, person: PersonView) => view.panel.find((p) => p.id === person.id);

export async function planNotification(deps: PlanDeps, outboxId: string, notification: DomainNotification, env: RenderEnv): Promise<Plan | DropAll> {
  const { db } = deps;
  const cardDeps = { db: deps.outbound, client: deps.client, clock: deps.clock, log: deps.log };
  const send = (message: Message, card?: CardMeta): RecipientStep => ({ type: 'send', message, card });
  const drop = (reason: string): RecipientStep => ({ type: 'drop', reason });
  const card = (kind: CardKind, interviewId: string, person: PersonView, scorecardId: string | null = null): CardMeta => ({
    kind,
    taskId: cardTaskId(kind, outboxId, person.id),
    interviewId,
    scorecardId,
  });

  if (notification.kind === 'welcome') return { forRecipient: async () => send(renderWelcome(env)) };
  if (notification.kind === 'bot_reply') {
    return { forRecipient: async (person) => send(renderBotReply(await botReplyData(deps, notification.command, person, env), env)) };
  }
  if (notification.kind === 'daily_digest') {
    // A digest that waited past its day (the daily message quota ran out, and it gave way to reminders): "today's
    // interviews" of a day that is over would only confuse; today's own digest comes at 09:00.
    if (notification.date < localDate(env.now, env.timeZone)) return { dropAll: `the digest of ${notification.date} could not go out that day (WeCom's daily message quota); today's digest replaces it` };
    const lines = await loadInterviewLines(db, notification.interviewIds);
    return { forRecipient: async () => send(renderDigest(notification.date, lines, env)) };
  }

  const view = await loadInterview(db, notification.interviewId);
  if (!view) return { dropAll: 'the interview no longer exists' };
  const cancelled = view.status === 'cancelled';

  switch (notification.kind) {
    case 'interview_scheduled':
      if (cancelled) return { dropAll: 'the interview was cancelled before the invitation went out' };
      return {
        forRecipient: async (person) =>
          onPanel(view, person) ? send(renderInvitation(view, env, { taskId: cardTaskId('invite', outboxId, person.id) }), card('invite', view.id, person)) : drop('no longer on the panel'),
      };

    case 'interview_rescheduled':
      if (cancelled) return { dropAll: 'the interview was cancelled' };
      return {
        async forRecipient(person) {
          if (!onPanel(view, person)) return drop('no longer on the panel');
          // The old invitation's buttons would answer for the new time: grey them out.
          await closeCards(cardDeps, { kind: 'invite', interviewId: view.id, personId: person.id, exceptOutboxId: outboxId }, env.strings.invite.closed.rescheduled);
          const meta = card('invite', view.id, person);
          return send(renderRescheduled(view, env, { taskId: meta.taskId, previousStartsAt: new Date(notification.previousStartsAt) }), meta);
        },
      };

    case 'interview_updated':
      if (cancelled) return { dropAll: 'the interview was cancelled' };
      return { forRecipient: async (person) => (onPanel(view, person) ? send(renderUpdated(view, env)) : drop('no longer on the panel')) };

    case 'interview_cancelled':
      return {
        // Every invitation of the interview, answered or not, is over.
        async prepare() {
          await closeCards(cardDeps, { kind: 'invite', interviewId: view.id }, env.strings.invite.closed.cancelled);
        },
        forRecipient: async () => send(renderCancelled(view, env)),
      };

    case 'interviewer_removed':
      return {
        async forRecipient(person) {
          if (onPanel(view, person)) return drop('added back to the panel since');
          await closeCards(cardDeps, { kind: 'invite', interviewId: view.id, personId: person.id }, env.strings.invite.closed.removed);
          return cancelled ? drop('the interview was cancelled') : send(renderRemoved(view, env));
        },
      };

    case 'interviewer_accepted': {
      if (cancelled) return { dropAll: 'the interview was cancelled' };
      const interviewer = (await loadPeople(db, [notification.interviewerId])).get(notification.interviewerId);
      if (!interviewer) return { dropAll: 'the interviewer no longer exists' };
      // An answer changed again before this was sent (accepted, then declined): the decline's notice tells it.
      if (onPanel(view, interviewer)?.response !== 'accepted') return { dropAll: 'the interviewer has not accepted (any more)' };
      return { forRecipient: async () => send(renderAccepted(view, interviewer, env)) };
    }

    case 'interviewer_declined': {
      if (cancelled) return { dropAll: 'the interview was cancelled' };
      const interviewer = (await loadPeople(db, [notification.interviewerId])).get(notification.interviewerId);
      if (!interviewer) return { dropAll: 'the interviewer no longer exists' };
      return { forRecipient: async () => send(renderDeclined(view, interviewer, env)) };
    }

    case 'interview_reminder':
      if (view.status !== 'scheduled') return { dropAll: `the interview is ${view.status}` };
      return {
        async forRecipient(person) {
          const seat = onPanel(view, person);
          if (!seat) return drop('no longer on the panel');
          return seat.response === 'declined' ? drop('declined the interview') : send(renderReminder(view, env));
        },
      };

    case 'candidate_joined':
      if (cancelled) return { dropAll: 'the interview was cancelled' };
      return { forRecipient: async () => send(renderCandidateJoined(view, env)) };

    case 'candidate_late':
      if (view.status !== 'scheduled') return { dropAll: `the interview is ${view.status}` };
      return { forRecipient: async () => send(renderCandidateLate(view, env)) };

    case 'feedback_reminder':
      if (cancelled) return { dropAll: 'the interview was cancelled' };
      return {
        forRecipient: async (person) =>
          view.scorecards.some((c) => c.interviewerId === person.id) ? drop('the scorecard is in') : send(renderFeedbackReminder(view, notification.round, env)),
      };

    case 'scorecard_submitted': {
      const scorecard = view.scorecards.find((c) => c.id === notification.scorecardId);
      if (!scorecard) return { dropAll: 'the scorecard no longer exists' };
      return {
        async forRecipient(person) {
          const meta = card('decision', view.id, person, scorecard.id);
          const message = renderScorecardCard(view, scorecard, env, { taskId: meta.taskId });
          // Once decided, the card comes without buttons: nothing to register.
          return send(message, message.template_card.card_type === 'button_interaction' ? meta : undefined);
        },
      };
    }

    case 'decision_recorded': {
      const decidedBy = (await loadPeople(db, [notification.decidedBy])).get(notification.decidedBy);
      if (!decidedBy) return { dropAll: 'the decider no longer exists' };
      const label = decisionLabel(notification.decision, decidedBy, env);
      let closedFor = new Set<string>();
      return {
        // "Advanced by 张三" on every decision card of the interview, whoever it was sent to.
        async prepare() {
          closedFor = (await closeCards(cardDeps, { kind: 'decision', interviewId: view.id }, label)).closedFor;
        },
        async forRecipient(person) {
          if (closedFor.has(person.id)) return { type: 'done', via: 'card_update' };
          if (person.id === decidedBy.id) return { type: 'done', via: 'none' };
          return send(renderDecisionNotice(view, notification.decision, decidedBy, env));
        },
      };
    }
  }
}

async function botReplyData(deps: PlanDeps, command: BotReplyData['command'], person: PersonView, env: RenderEnv): Promise<BotReplyData> {
  const now = env.now;
  switch (command) {
    case 'today': {
      const range = localDayBounds(now, env.timeZone);
      return { command, day: now, lines: (await interviewsOfPerson(deps.db, person.id, { from: range.start, to: range.end })).map(toLine) };
    }
    case 'week': {
      const range = localWeekBounds(now, env.timeZone);
      return { command, from: range.start, to: range.end, lines: (await interviewsOfPerson(deps.db, person.id, { from: range.start, to: range.end })).map(toLine) };
    }
    case 'pending':
      return { command, lines: (await pendingScorecards(deps.db, person.id, now)).map(toLine) };
    case 'help':
    case 'unknown':
      return { command };
  }
}

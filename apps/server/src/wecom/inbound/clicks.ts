/**
 * A click on one of Pairview's cards (template_card_event, wecom-protocol.md §6.10): the button key says what and
 * for which interview (card-keys.ts), FromUserName who. Accept/Decline answer the invitation; Advance / Another
 * round / Reject record the hiring decision. The domain does the rest (a decline notifies the recruiter; a decision
 * is sent as decision_recorded, whose delivery updates everyone's decision card). A click by someone the web app
 * would refuse (not on the panel; not a recruiter nor the interview's hiring manager) changes nothing and is
 * logged; the clicker's card says so.
 */
import type { Db } from '../../db/pool.ts';
import type { Clock } from '../../clock.ts';
import { ConflictError, ForbiddenError } from '../../errors.ts';
import { respondToInvitation } from '../../interviews/service.ts';
import { recordDecision } from '../../scorecards/service.ts';
import type { ClickAnswer } from './answers.ts';
import { parseCardKey, type CardKey } from './card-keys.ts';
import { findMember, type MemberRow } from './members.ts';

export interface ClickOutcome {
  /** What the clicker's card shows now; undefined: leave the card as it is (not one of our keys). */
  answer?: ClickAnswer;
  /** Recorded on the callback's log row (`error` column): why nothing changed. */
  note?: string;
}

interface ClickDeps {
  db: Db;
  clock: Clock;
  log: { warn(message: string): void };
  /** For "decided by": the decider's name as the locale shows it. */
  nameOf(person: MemberRow): string;
}

export async function handleCardClick(deps: ClickDeps, click: { userId: string; eventKey: string }): Promise<ClickOutcome> {
  const key = parseCardKey(click.eventKey);
  if (!key) return { note: `ignored: the button key "${click.eventKey.slice(0, 100)}" is not one of Pairview's` };

  const interview = await deps.db
    .selectFrom('interviews')
    .select(['id', 'status', 'hiring_manager_id'])
    .where('id', '=', key.interviewId)
    .executeTakeFirst();
  if (!interview) return { answer: { kind: 'interview_not_found' }, note: `refused: no interview ${key.interviewId}` };

  const person = await findMember(deps.db, click.userId);
  if (!person) return refuse(deps, click.userId, "not an active member in Pairview's directory", key);

  return key.kind === 'invite' ? answerInvitation(deps, key, person, interview.status) : decide(deps, key, person, interview);
}

async function answerInvitation(
  deps: ClickDeps,
  key: Extract<CardKey, { kind: 'invite' }>,
  person: MemberRow,
  status: string,
): Promise<ClickOutcome> {
  if (status !== 'scheduled') return closed(status, key.interviewId);
  try {
    // Answering twice changes nothing and notifies nobody, so a retried job is harmless.
    await respondToInvitation({ db: deps.db, clock: deps.clock }, key.interviewId, person.id, key.response);
  } catch (error) {
    if (error instanceof ForbiddenError) return refuse(deps, person.wecom_userid, 'not on its panel', key);
    if (error instanceof ConflictError) return closed(await statusOf(deps.db, key.interviewId), key.interviewId);
    throw error;
  }
  return { answer: { kind: 'invitation', response: key.response } };
}

async function decide(
  deps: ClickDeps,
  key: Extract<CardKey, { kind: 'decision' }>,
  person: MemberRow,
  interview: { status: string; hiring_manager_id: string | null },
): Promise<ClickOutcome> {
  // The same rule as the web route's policy (auth/policies.ts interviewDecider): recruiters, and the interview's
  // own hiring manager.
  if (!person.roles.includes('recruiter') && interview.hiring_manager_id !== person.id) {
    return refuse(deps, person.wecom_userid, 'neither a recruiter nor its hiring manager', key);
  }
  if (interview.status === 'cancelled') return closed('cancelled', key.interviewId);
  try {
    await recordDecision({ db: deps.db, clock: deps.clock }, key.interviewId, person.id, key.decision);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await deps.db
      .selectFrom('decisions as d')
      .innerJoin('people as p', 'p.id', 'd.decided_by')
      .select(['d.decision', 'd.decided_by'])
      .selectAll('p')
      .where('d.interview_id', '=', key.interviewId)
      .executeTakeFirst();
    if (!existing) return closed(await statusOf(deps.db, key.interviewId), key.interviewId);
    // Our own decision, recorded by an earlier try of this job: the click went through.
    if (existing.decided_by === person.id && existing.decision === key.decision) return { answer: { kind: 'decision', decision: key.decision } };
    return {
      answer: { kind: 'decision', decision: existing.decision, by: deps.nameOf(existing) },
      note: `not recorded: the interview was already decided (${existing.decision} by ${existing.wecom_userid})`,
    };
  }
  return { answer: { kind: 'decision', decision: key.decision } };
}

function refuse(deps: ClickDeps, userId: string, reason: string, key: CardKey): ClickOutcome {
  const what = key.kind === 'invite' ? `${key.response === 'accepted' ? 'accept' : 'decline'} the invitation to` : `record "${key.decision}" for`;
  const note = `refused: ${userId} cannot ${what} interview ${key.interviewId} (${reason}); nothing changed`;
  deps.log.warn(`WeCom card click ${note}`);
  return { answer: { kind: 'not_allowed' }, note };
}

function closed(status: string | undefined, interviewId: string): ClickOutcome {
  if (status === undefined) return { answer: { kind: 'interview_not_found' }, note: `refused: no interview ${interviewId}` };
  return {
    answer: { kind: status === 'cancelled' ? 'interview_cancelled' : 'interview_ended' },
    note: `refused: interview ${interviewId} is ${status}`,
  };
}

async function statusOf(db: Db, interviewId: string): Promise<string | undefined> {
  const row = await db.selectFrom('interviews').select('status').where('id', '=', interviewId).executeTakeFirst();
  return row?.status;
}

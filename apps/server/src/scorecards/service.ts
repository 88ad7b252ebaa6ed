/**
 * Feedback: an interviewer's scorecard (once, after the interview started), and the hiring decision (once per
 * interview, by a recruiter or the interview's hiring manager, from the web or from the WeCom card).
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { DecisionValue, Rating, SkillNote } from '../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { enqueueNotification } from '../notifications/outbox.ts';

interface Ctx {
  db: Db;
  clock: Clock;
}

export interface ScorecardInput {
  rating: Rating;
  skillNotes: SkillNote[];
  summary: string;
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === UNIQUE_VIOLATION;

export async function submitScorecard({ db, clock }: Ctx, interviewId: string, interviewerId: string, input: ScorecardInput) {
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const interview = await tx.selectFrom('interviews').selectAll().where('id', '=', interviewId).forShare().executeTakeFirst();
    if (!interview) throw new NotFoundError(`No interview with id ${interviewId}`);
    if (interview.status === 'cancelled') throw new ConflictError('This interview was cancelled; there is nothing to give feedback on');
    if (interview.starts_at > now) throw new ConflictError('This interview has not started yet; write the scorecard after it');
    const seat = await tx
      .selectFrom('interview_interviewers')
      .select('person_id')
      .where('interview_id', '=', interviewId)
      .where('person_id', '=', interviewerId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!seat) throw new ForbiddenError('You are not on this interview\'s panel');

    const card = await tx
      .insertInto('scorecards')
      .values({
        interview_id: interviewId,
        interviewer_id: interviewerId,
        rating: input.rating,
        skill_notes: JSON.stringify(input.skillNotes),
        summary: input.summary,
        submitted_at: now,
      })
      .onConflict((oc) => oc.columns(['interview_id', 'interviewer_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!card) throw new ConflictError('You already submitted your scorecard for this interview');

    await enqueueNotification(tx, {
      kind: 'scorecard_submitted',
      interviewId,
      scorecardId: card.id,
      interviewerId,
      recipients: [interview.recruiter_id, interview.hiring_manager_id].filter((x): x is string => !!x),
    });
    return { scorecardId: card.id };
  });
}

/** Records the decision; the first one wins, a second is refused naming who decided what. */
export async function recordDecision({ db, clock }: Ctx, interviewId: string, deciderId: string, decision: DecisionValue) {
  const now = clock.now();
  try {
    return await db.transaction().execute(async (tx) => {
      const interview = await tx.selectFrom('interviews').selectAll().where('id', '=', interviewId).forShare().executeTakeFirst();
      if (!interview) throw new NotFoundError(`No interview with id ${interviewId}`);
      if (interview.status === 'cancelled') throw new ConflictError('This interview was cancelled; there is nothing to decide');
      const row = await tx
        .insertInto('decisions')
        .values({ interview_id: interviewId, decision, decided_by: deciderId, decided_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await enqueueNotification(tx, {
        kind: 'decision_recorded',
        interviewId,
        decision,
        decidedBy: deciderId,
        recipients: [interview.recruiter_id, interview.hiring_manager_id].filter((x): x is string => !!x),
      });
      return { decisionId: row.id };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const existing = await db
      .selectFrom('decisions as d')
      .innerJoin('people as p', 'p.id', 'd.decided_by')
      .select(['d.decision', 'p.name', 'd.decided_at'])
      .where('d.interview_id', '=', interviewId)
      .executeTakeFirstOrThrow();
    throw new ConflictError(`Already decided: ${existing.decision} by ${existing.name} at ${existing.decided_at.toISOString()}`);
  }
}

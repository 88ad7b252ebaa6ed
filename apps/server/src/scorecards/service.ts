/**
 * Feedback: an interviewer's scorecard (once, after the interview started), and the hiring decision (once per
 * interview, by a recruiter or the interview's hiring manager, from the web or from the WeCom card).
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { DecisionValue, Rating, SkillNote } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';
import { interviewNotFound, interviewNotStarted, notOnPanel } from '../interviews/errors.ts';
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

const DECISION_ZH: Record<DecisionValue, string> = { advance: '进入下一轮', another_round: '再面一轮', reject: '不通过' };

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === UNIQUE_VIOLATION;

export async function submitScorecard({ db, clock }: Ctx, interviewId: string, interviewerId: string, input: ScorecardInput) {
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const interview = await tx.selectFrom('interviews').selectAll().where('id', '=', interviewId).forShare().executeTakeFirst();
    if (!interview) throw interviewNotFound(interviewId);
    if (interview.status === 'cancelled') {
      throw new ConflictError({
        code: 'interview_cancelled',
        en: 'This interview was cancelled; there is nothing to give feedback on',
        zh: '这场面试已取消，无需填写面评。',
      });
    }
    // An interview begins at its planned time, or earlier when the room was started ("Start interview").
    const room = await tx.selectFrom('rooms').select('started_at').where('interview_id', '=', interviewId).executeTakeFirst();
    if (interview.starts_at > now && !room?.started_at && interview.status !== 'completed') {
      throw interviewNotStarted('This interview has not started yet; write the scorecard after it', '这场面试还没有开始，请在面试开始后再填写面评。');
    }
    const seat = await tx
      .selectFrom('interview_interviewers')
      .select(['person_id', 'response'])
      .where('interview_id', '=', interviewId)
      .where('person_id', '=', interviewerId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!seat) throw notOnPanel();
    // A declined seat is not on the interview: its scorecard would also unlock every peer's feedback for them.
    if (seat.response === 'declined') {
      throw new ConflictError({
        code: 'declined_no_scorecard',
        en: 'You declined this interview, so you cannot write its scorecard: accept it first if you did take part',
        zh: '你已拒绝这场面试，不能填写面评；如果你实际参加了，请先改为接受。',
      });
    }

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
    if (!card) {
      throw new ConflictError({
        code: 'scorecard_already_submitted',
        en: 'You already submitted your scorecard for this interview',
        zh: '你已经提交过这场面试的面评。',
      });
    }

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
      if (!interview) throw interviewNotFound(interviewId);
      if (interview.status === 'cancelled') {
        throw new ConflictError({ code: 'interview_cancelled', en: 'This interview was cancelled; there is nothing to decide', zh: '这场面试已取消，无需做出结论。' });
      }
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
    throw new ConflictError({
      code: 'already_decided',
      en: `Already decided: ${existing.decision} by ${existing.name} at ${existing.decided_at.toISOString()}`,
      zh: `已经有结论了：${existing.name} 于 ${existing.decided_at.toISOString()} 选择了“${DECISION_ZH[existing.decision]}”。`,
    });
  }
}

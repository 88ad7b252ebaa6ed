import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { interviewDecider, interviewPanelist, requireMember } from '../auth/policies.ts';
import { route, uuid } from '../http/route.ts';
import { recordDecision, submitScorecard } from './service.ts';

export const ratingSchema = z.enum(['strong_no', 'no', 'yes', 'strong_yes']);
export const decisionSchema = z.enum(['advance', 'another_round', 'reject']);

export const scorecardBody = z.object({
  rating: ratingSchema,
  skillNotes: z
    .array(z.object({ skill: z.string().trim().min(1).max(100), note: z.string().max(5000) }))
    .max(20)
    .default([]),
  summary: z.string().max(10_000).default(''),
});

export function scorecardRoutes(context: AppContext) {
  return [
    route({
      method: 'POST',
      url: '/api/interviews/:id/scorecard',
      summary: 'Submit my scorecard (interviewer on the panel; once, after the start)',
      policy: interviewPanelist,
      params: z.object({ id: uuid }),
      body: scorecardBody,
      status: 201,
      response: z.object({ scorecardId: z.uuid() }),
      async handler({ params, body, principal }) {
        return submitScorecard(context, params.id, requireMember(principal).person.id, body);
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/decision',
      summary: 'Record the hiring decision (recruiter, or the interview\'s hiring manager; once)',
      policy: interviewDecider,
      params: z.object({ id: uuid }),
      body: z.object({ decision: decisionSchema }),
      status: 201,
      response: z.object({ decisionId: z.uuid() }),
      async handler({ params, body, principal }) {
        return recordDecision(context, params.id, requireMember(principal).person.id, body.decision);
      },
    }),
  ];
}

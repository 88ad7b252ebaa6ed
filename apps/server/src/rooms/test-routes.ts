/**
 * The room's test runs over HTTP, for the panel only (a member of the interview, by session: the candidate's link
 * opens none of this): run the question's test cases against the pad's code, and what the Tests tab loads.
 */
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { interviewParticipant, requireMember } from '../auth/policies.ts';
import { RATE_LIMITS } from '../http/rate-limits.ts';
import { route, uuid } from '../http/route.ts';
import { LANGUAGE_IDS } from './languages.ts';
import { memberActor } from './service.ts';
import { lastTestRun, runTests, testRunner } from './tests.ts';

export const testCaseResultSchema = z.object({
  name: z.string(),
  hidden: z.boolean(),
  input: z.string(),
  expected: z.string(),
  actual: z.string(),
  truncated: z.boolean(),
  passed: z.boolean(),
  status: z.enum(['ok', 'error', 'timeout', 'output_limit', 'unavailable', 'skipped']),
  failedStage: z.enum(['compile', 'run']).nullable(),
  message: z.string().nullable(),
  errorOutput: z.string(),
  durationMs: z.number().int(),
});

export const testRunSchema = z.object({
  id: z.uuid(),
  questionId: z.uuid().nullable(),
  language: z.string(),
  passed: z.number().int(),
  total: z.number().int(),
  durationMs: z.number().int(),
  authorName: z.string(),
  at: z.string(),
  cases: z.array(testCaseResultSchema),
});

export const testsStatusSchema = z.object({
  /** ready: the runner answers; off: this Pairview has none; unreachable: it does not answer now. */
  runner: z.enum(['ready', 'off', 'unreachable']),
  /** The room languages the runner runs now. */
  languages: z.array(z.enum(LANGUAGE_IDS)),
  lastRun: testRunSchema.nullable(),
});

const idParams = z.object({ id: uuid });

export function testRoutes(context: AppContext) {
  const { db, clock } = context;
  return [
    route({
      method: 'GET',
      url: '/api/interviews/:id/room/tests',
      summary: "The room's last test run, and the languages the code runner runs (the panel)",
      policy: interviewParticipant,
      params: idParams,
      response: testsStatusSchema,
      async handler({ params, reply }) {
        reply.header('cache-control', 'no-store');
        return { ...(await testRunner(context.runner)), lastRun: await lastTestRun(db, params.id) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/room/tests',
      summary: "Run the question's test cases (hidden ones too) against the pad's code on the code runner (the panel)",
      policy: interviewParticipant,
      rateLimit: RATE_LIMITS.serverRun,
      params: idParams,
      // The code as a pad holds it (the room's runs take the same).
      body: z.object({ language: z.enum(LANGUAGE_IDS), code: z.string().max(200_000) }),
      status: 201,
      response: testRunSchema,
      async handler({ params, principal, body }) {
        return runTests({ db, clock, runner: context.runner }, params.id, memberActor(requireMember(principal)), body);
      },
    }),
  ];
}

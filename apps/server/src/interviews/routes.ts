import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { anyRole, interviewPanelist, interviewParticipant, interviewRunner, requireMember, signedIn } from '../auth/policies.ts';
import { isoDateTime, queryInt, route, uuid } from '../http/route.ts';
import { currentStarterCode } from '../rooms/collab/starters.ts';
import { candidateLinkUrl } from '../rooms/links.ts';
import { memberActor } from '../rooms/service.ts';
import { getInterviewDetail, listCursor, listInterviews } from './queries.ts';
import {
  MAX_INTERVIEWERS,
  cancelInterview,
  completeInterview,
  createInterview,
  rescheduleInterview,
  respondToInvitation,
  updateInterview,
} from './service.ts';

const personRef = z.object({ id: z.uuid(), name: z.string() });
const responseSchema = z.enum(['pending', 'accepted', 'declined']);
const statusSchema = z.enum(['scheduled', 'cancelled', 'completed']);

export const interviewSummarySchema = z.object({
  id: z.uuid(),
  version: z.number().int(),
  status: statusSchema,
  position: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  durationMinutes: z.number().int(),
  candidate: z.object({ name: z.string() }),
  recruiter: personRef,
  hiringManager: personRef.nullable(),
  interviewers: z.array(
    personRef.extend({ response: responseSchema, respondedAt: z.date().nullable(), scorecardSubmitted: z.boolean() }),
  ),
  feedback: z.object({
    expected: z.number().int(),
    submitted: z.number().int(),
    status: z.enum(['waiting', 'complete', 'not_needed']),
  }),
  decision: z.object({ decision: z.enum(['advance', 'another_round', 'reject']), decidedAt: z.date() }).nullable(),
  /** From the question bank (archived or not); its statement and guidance are at GET /api/questions/:id. */
  question: z.object({ id: z.uuid(), title: z.string(), difficulty: z.enum(['easy', 'medium', 'hard']) }).nullable(),
  /** The viewer's own seat on the panel, if any. */
  me: z.object({ response: responseSchema, scorecardSubmitted: z.boolean() }).nullable(),
});

export const interviewDetailSchema = interviewSummarySchema.extend({
  cancelledAt: z.date().nullable(),
  cancelReason: z.string().nullable(),
  completedAt: z.date().nullable(),
  candidate: z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() }),
  room: z
    .object({
      expiresAt: z.date(),
      endedAt: z.date().nullable(),
      candidateJoinedAt: z.date().nullable(),
      candidateName: z.string().nullable(),
      /** When an interviewer pressed Start (the question is fixed from then on). */
      startedAt: z.date().nullable(),
    })
    .nullable(),
  scorecards: z.array(
    z.object({
      id: z.uuid(),
      interviewer: personRef,
      rating: z.enum(['strong_no', 'no', 'yes', 'strong_yes']),
      skillNotes: z.array(z.object({ skill: z.string(), note: z.string() })),
      summary: z.string(),
      submittedAt: z.date(),
    }),
  ),
  /** Scorecards the viewer cannot see yet (a panelist before submitting theirs). */
  hiddenScorecards: z.number().int(),
});

const candidateInput = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320).nullish(),
  phone: z.string().trim().min(3).max(40).nullish(),
});

const versioned = { version: z.number().int().positive() };
const idParams = z.object({ id: uuid });
const ok = z.object({ ok: z.literal(true) });

export function interviewRoutes(context: AppContext) {
  const { db, config } = context;
  const detail = async (viewer: ReturnType<typeof requireMember>, id: string) => getInterviewDetail(db, viewer, id);
  return [
    route({
      method: 'GET',
      url: '/api/interviews',
      summary: 'Interviews with feedback status (recruiters, admins: all; others: the ones they are on); `order=desc` newest first, next page with `cursor`',
      policy: signedIn,
      query: z.object({
        status: statusSchema.optional(),
        from: isoDateTime.optional(),
        to: isoDateTime.optional(),
        mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        order: z.enum(['asc', 'desc']).default('asc'),
        cursor: z
          .string()
          .max(200)
          .transform((cursor, ctx) => {
            const position = listCursor.decode(cursor);
            if (!position) {
              ctx.addIssue({
                code: 'custom',
                params: {
                  code: 'invalid_cursor',
                  en: 'Not a cursor this list gave out: pass the nextCursor of the previous page, unchanged',
                  zh: '不是本列表给出的分页游标：请原样传入上一页的 nextCursor。',
                },
              });
              return z.NEVER;
            }
            return position;
          })
          .optional(),
        limit: queryInt(1, 500).default(200),
      }),
      response: z.object({ interviews: z.array(interviewSummarySchema), nextCursor: z.string().nullable() }),
      async handler({ query, principal }) {
        const { cursor, ...filter } = query;
        const page = await listInterviews(db, requireMember(principal), { ...filter, after: cursor });
        return { interviews: page.interviews, nextCursor: page.next ? listCursor.encode(page.next) : null };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews',
      summary: 'Schedule an interview (recruiter); answers with the candidate link, shown this once',
      policy: anyRole('recruiter'),
      body: z.object({
        candidate: candidateInput,
        position: z.string().trim().min(1).max(200),
        startsAt: isoDateTime,
        durationMinutes: z.number().int().min(5).max(480),
        interviewerIds: z.array(z.uuid()).min(1).max(MAX_INTERVIEWERS),
        hiringManagerId: z.uuid().nullish(),
        questionId: z.uuid().nullish(),
      }),
      status: 201,
      response: z.object({ interview: interviewDetailSchema, candidateLink: z.url() }),
      async handler({ body, principal }) {
        const actor = requireMember(principal);
        const { interviewId, candidateLinkToken } = await createInterview(context, actor, body);
        return { interview: await detail(actor, interviewId), candidateLink: candidateLinkUrl(config.publicUrl, candidateLinkToken) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/interviews/:id',
      summary: 'Interview detail with scorecards (peers\' hidden until you submit yours)',
      policy: interviewParticipant,
      params: idParams,
      response: interviewDetailSchema,
      async handler({ params, principal }) {
        return detail(requireMember(principal), params.id);
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/interviews/:id',
      summary: 'Edit position, duration, panel, hiring manager, candidate, question (recruiter; needs the version you read)',
      policy: anyRole('recruiter'),
      params: idParams,
      body: z.object({
        ...versioned,
        position: z.string().trim().min(1).max(200).optional(),
        durationMinutes: z.number().int().min(5).max(480).optional(),
        interviewerIds: z.array(z.uuid()).min(1).max(MAX_INTERVIEWERS).optional(),
        hiringManagerId: z.uuid().nullable().optional(),
        candidate: candidateInput.partial().optional(),
        questionId: z.uuid().nullable().optional(),
      }),
      response: interviewDetailSchema,
      async handler({ params, body, principal }) {
        const member = requireMember(principal);
        // A new question before the start: a pad nobody has typed in takes the new question's starter code.
        const starterBefore = body.questionId !== undefined ? await currentStarterCode(context.db, params.id) : undefined;
        await updateInterview(context, params.id, body);
        if (starterBefore !== undefined) await context.collab?.reseedUntouchedPad(params.id, starterBefore, memberActor(member));
        return detail(member, params.id);
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/reschedule',
      summary: 'Move the interview (recruiter); answers reset to pending, reminders re-planned',
      policy: anyRole('recruiter'),
      params: idParams,
      body: z.object({ ...versioned, startsAt: isoDateTime, durationMinutes: z.number().int().min(5).max(480).optional() }),
      response: interviewDetailSchema,
      async handler({ params, body, principal }) {
        await rescheduleInterview(context, params.id, body);
        return detail(requireMember(principal), params.id);
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/cancel',
      summary: 'Cancel the interview (recruiter); the candidate link dies, scheduled messages are removed',
      policy: anyRole('recruiter'),
      params: idParams,
      body: z.object({ ...versioned, reason: z.string().trim().max(500).nullish() }),
      response: interviewDetailSchema,
      async handler({ params, body, principal }) {
        await cancelInterview(context, params.id, body);
        return detail(requireMember(principal), params.id);
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/end',
      summary: 'End the interview (its interviewers, recruiters): completed, candidate link dies',
      policy: interviewRunner,
      params: idParams,
      response: ok,
      async handler({ params }) {
        await completeInterview(context, params.id);
        return { ok: true as const };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/response',
      summary: 'Accept or decline the invitation (interviewer on the panel); a decline notifies the recruiter',
      policy: interviewPanelist,
      params: idParams,
      body: z.object({ response: z.enum(['accepted', 'declined']) }),
      response: z.object({ response: z.enum(['accepted', 'declined']), changed: z.boolean() }),
      async handler({ params, body, principal }) {
        const { changed } = await respondToInvitation(context, params.id, requireMember(principal).person.id, body.response);
        return { response: body.response, changed };
      },
    }),
  ];
}

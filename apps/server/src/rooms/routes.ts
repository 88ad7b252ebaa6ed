/**
 * The room over HTTP: what the room pages load (the live part comes over the collaboration socket, collab/), and
 * every change made in a room — start, settings, runs, integrity signals — as a route with its access policy, for
 * members by session and for the candidate by the link.
 */
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { anyRole, candidateLink, interviewParticipant, interviewRunner, requireCandidate, requireMember } from '../auth/policies.ts';
import { NotFoundError } from '../errors.ts';
import { RATE_LIMITS } from '../http/rate-limits.ts';
import { route, uuid } from '../http/route.ts';
import { candidateQuestion, roomQuestion } from '../questions/room.ts';
import { testCaseSchema } from '../questions/routes.ts';
import { colorFor } from './collab/people.ts';
import { starterCode } from './collab/starters.ts';
import { LANGUAGE_IDS } from './languages.ts';
import { candidateLinkUrl, replaceRoomLink } from './links.ts';
import {
  candidateActor,
  candidateJoin,
  candidateRoomView,
  listRuns,
  memberActor,
  recordRun,
  recordSignal,
  roomNotOpen,
  runOnServer,
  startRoom,
  updateRoomSettings,
  type RoomActor,
} from './service.ts';
import { loadRoomState, loadSignals } from './state.ts';
import { testRunSchema } from './test-routes.ts';
import { lastTestRun } from './tests.ts';

const languageSchema = z.enum(LANGUAGE_IDS);

export const runSchema = z.object({
  id: z.uuid(),
  language: z.string(),
  status: z.enum(['ok', 'error', 'timeout', 'output_limit', 'unavailable']),
  output: z.string(),
  truncated: z.boolean(),
  durationMs: z.number().int(),
  authorKind: z.enum(['member', 'candidate']),
  authorName: z.string(),
  at: z.string(),
});

export const roomStateSchema = z.object({
  revision: z.number(),
  phase: z.enum(['waiting', 'live', 'ended']),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  cancelled: z.boolean(),
  language: z.string(),
  candidateCanRun: z.boolean(),
  lastRun: runSchema.nullable(),
  questionId: z.uuid().nullable(),
});

export const candidateRoomSchema = z.object({
  position: z.string(),
  startsAt: z.date(),
  durationMinutes: z.number(),
  candidateName: z.string(),
  joinedAt: z.date().nullable(),
  /** Each name as the directory has it, and the English one when there is: the page shows the one of its language. */
  interviewers: z.array(z.object({ name: z.string(), englishName: z.string().nullable() })),
  interviewId: z.uuid(),
  state: roomStateSchema,
  /** `examples`: the question's visible test cases only (never a hidden one: questions/test-cases.ts). */
  question: z.object({ title: z.string(), statement: z.string(), examples: z.array(z.object({ name: z.string(), input: z.string(), expected: z.string() })) }).nullable(),
  /** Languages the server's code runner runs for this room (the browser runs JavaScript, TypeScript, Python, SQL). */
  serverLanguages: z.array(languageSchema),
});

export const signalSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['paste', 'focus_lost']),
  authorName: z.string(),
  chars: z.number().nullable(),
  durationMs: z.number().nullable(),
  at: z.string(),
});

export const memberRoomSchema = z.object({
  interviewId: z.uuid(),
  state: roomStateSchema,
  me: z.object({ personId: z.uuid(), name: z.string(), color: z.string() }),
  question: z
    .object({ id: z.uuid(), title: z.string(), statement: z.string(), difficulty: z.string(), tags: z.array(z.string()), guidance: z.string(), testCases: z.array(testCaseSchema) })
    .nullable(),
  runs: z.array(runSchema),
  signals: z.array(signalSchema),
  /** The room's latest test run (rooms/tests.ts): the panel's only. */
  lastTestRun: testRunSchema.nullable(),
  serverLanguages: z.array(languageSchema),
});

/** Output as the runner cut it (64 KiB) with room for a closing line; code and stdin as a pad holds them. */
const runBody = z.object({
  language: languageSchema,
  code: z.string().max(200_000),
  stdin: z.string().max(65_536).default(''),
  output: z.string().max(70_000),
  truncated: z.boolean().default(false),
  status: z.enum(['ok', 'error', 'timeout', 'output_limit']),
  durationMs: z.number().int().min(0).max(600_000),
});

/** A run on the server's code runner: the code and stdin; the output comes from the runner. */
const executeBody = z.object({
  language: languageSchema,
  code: z.string().max(200_000),
  stdin: z.string().max(65_536).default(''),
});

const idParams = z.object({ id: uuid });

export function roomRoutes(context: AppContext) {
  const { db, clock, config, collab, runner } = context;

  /** The new language for everyone; an untouched pad gets the new language's starter code. */
  async function switchLanguage(interviewId: string, language: z.infer<typeof languageSchema>, actor: RoomActor) {
    const { previousLanguage } = await updateRoomSettings(db, interviewId, { language });
    if (previousLanguage !== language) await collab?.reseedUntouchedPad(interviewId, await starterCode(db, interviewId, previousLanguage), actor);
    return { language };
  }

  return [
    route({
      method: 'GET',
      url: '/api/room-links/:token',
      summary: 'Room page data for the candidate holding the link (its own room only; dead links get 403)',
      policy: candidateLink,
      rateLimit: RATE_LIMITS.candidateLink,
      response: candidateRoomSchema,
      async handler({ principal, reply }) {
        const { room } = requireCandidate(principal);
        const question = await roomQuestion(db, room.interview_id);
        reply.header('cache-control', 'no-store');
        return {
          ...(await candidateRoomView(db, room)),
          interviewId: room.interview_id,
          state: (await loadRoomState(db, room.interview_id))!,
          question: question ? pick(candidateQuestion(question), ['title', 'statement', 'examples']) : null,
          serverLanguages: (await runner?.languages()) ?? [],
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/room-links/:token/language',
      summary: "The candidate switches the pad's language (while the interview runs)",
      policy: candidateLink,
      rateLimit: RATE_LIMITS.candidateLink,
      body: z.object({ language: languageSchema }),
      response: z.object({ language: languageSchema }),
      async handler({ principal, body }) {
        const { room } = requireCandidate(principal);
        return switchLanguage(room.interview_id, body.language, await candidateActor(db, room));
      },
    }),
    route({
      method: 'POST',
      url: '/api/room-links/:token/runs',
      summary: "The candidate's run and its output, shown to everyone in the room (refused when running is off)",
      policy: candidateLink,
      rateLimit: RATE_LIMITS.candidateLink,
      body: runBody,
      status: 201,
      response: runSchema,
      async handler({ principal, body }) {
        const { room } = requireCandidate(principal);
        return recordRun(db, clock, room.interview_id, await candidateActor(db, room), body);
      },
    }),
    route({
      method: 'POST',
      url: '/api/room-links/:token/execute',
      summary: "The candidate's run on the server's code runner (Java, C++, Go, …); the output is shown to everyone in the room",
      policy: candidateLink,
      rateLimit: RATE_LIMITS.candidateLink,
      body: executeBody,
      status: 201,
      response: runSchema,
      async handler({ principal, body }) {
        const { room } = requireCandidate(principal);
        return runOnServer(db, clock, runner, room.interview_id, await candidateActor(db, room), body);
      },
    }),
    route({
      method: 'POST',
      url: '/api/room-links/:token/signals',
      summary: "An integrity signal from the candidate's page: a large paste, or the tab hidden for a while",
      policy: candidateLink,
      rateLimit: RATE_LIMITS.candidateLink,
      body: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('paste'), chars: z.number().int().min(1).max(10_000_000) }),
        z.object({ kind: z.literal('focus_lost'), durationMs: z.number().int().min(0).max(24 * 3600_000) }),
      ]),
      status: 201,
      response: z.object({ ok: z.literal(true) }),
      async handler({ principal, body }) {
        const { room } = requireCandidate(principal);
        await recordSignal(db, clock, room.interview_id, await candidateActor(db, room), body);
        return { ok: true as const };
      },
    }),
    route({
      method: 'GET',
      url: '/api/interviews/:id/room',
      summary: 'The room for the panel: its state, the question with the guidance, the runs, the integrity signals',
      policy: interviewParticipant,
      params: idParams,
      response: memberRoomSchema,
      async handler({ params, principal, reply }) {
        const member = requireMember(principal);
        const state = await loadRoomState(db, params.id);
        if (!state) throw roomNotOpen(params.id);
        const question = await roomQuestion(db, params.id);
        reply.header('cache-control', 'no-store');
        return {
          interviewId: params.id,
          state,
          me: { personId: member.person.id, name: member.person.name, color: colorFor('member', member.person.id) },
          question: question ? pick(question, ['id', 'title', 'statement', 'difficulty', 'tags', 'guidance', 'testCases']) : null,
          runs: await listRuns(db, params.id),
          signals: await loadSignals(db, params.id),
          lastTestRun: await lastTestRun(db, params.id),
          serverLanguages: (await runner?.languages()) ?? [],
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/room/start',
      summary: '"Start interview": the candidate leaves the lobby and the timer starts (its interviewers, recruiters)',
      policy: interviewRunner,
      params: idParams,
      response: z.object({ startedAt: z.date() }),
      async handler({ params, principal }) {
        return startRoom(db, clock, params.id, requireMember(principal));
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/interviews/:id/room',
      summary: "The pad's language, and whether the candidate may run code (its interviewers, recruiters)",
      policy: interviewRunner,
      params: idParams,
      body: z
        .object({ language: languageSchema.optional(), candidateCanRun: z.boolean().optional() })
        .refine((b) => b.language !== undefined || b.candidateCanRun !== undefined, {
          params: { code: 'nothing_to_change', en: 'Send language or candidateCanRun (or both)', zh: '请提供 language 或 candidateCanRun。' },
        }),
      response: z.object({ language: languageSchema, candidateCanRun: z.boolean() }),
      async handler({ params, principal, body }) {
        const actor = memberActor(requireMember(principal));
        if (body.candidateCanRun !== undefined) await updateRoomSettings(db, params.id, { candidateCanRun: body.candidateCanRun });
        if (body.language !== undefined) await switchLanguage(params.id, body.language, actor);
        const state = (await loadRoomState(db, params.id))!;
        return { language: state.language as z.infer<typeof languageSchema>, candidateCanRun: state.candidateCanRun };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/room/runs',
      summary: "A member's run and its output, shown to everyone in the room",
      policy: interviewParticipant,
      params: idParams,
      body: runBody,
      status: 201,
      response: runSchema,
      async handler({ params, principal, body }) {
        return recordRun(db, clock, params.id, memberActor(requireMember(principal)), body);
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/room/execute',
      summary: "A member's run on the server's code runner (Java, C++, Go, …); the output is shown to everyone in the room",
      policy: interviewParticipant,
      rateLimit: RATE_LIMITS.serverRun,
      params: idParams,
      body: executeBody,
      status: 201,
      response: runSchema,
      async handler({ params, principal, body }) {
        return runOnServer(db, clock, runner, params.id, memberActor(requireMember(principal)), body);
      },
    }),
    route({
      method: 'POST',
      url: '/api/room-links/:token/join',
      summary: 'The candidate enters the room with a name; the first entry notifies the interviewers',
      policy: candidateLink,
      rateLimit: RATE_LIMITS.candidateLink,
      body: z.object({ name: z.string().trim().min(1).max(100) }),
      response: z.object({ joined: z.literal(true), firstJoin: z.boolean() }),
      async handler({ principal, body }) {
        const { firstJoin } = await candidateJoin(db, clock, requireCandidate(principal).room, body.name);
        return { joined: true as const, firstJoin };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/candidate-link',
      summary: 'A new candidate link (recruiter); the previous link stops working',
      policy: anyRole('recruiter'),
      params: z.object({ id: uuid }),
      response: z.object({ candidateLink: z.url() }),
      async handler({ params }) {
        const token = await replaceRoomLink(db, params.id);
        if (!token) {
          throw new NotFoundError({
            code: 'room_not_open',
            en: `Interview ${params.id} has no open room (it does not exist, ended or was cancelled)`,
            zh: '这场面试没有开放的面试间（面试不存在、已结束或已取消）。',
          });
        }
        return { candidateLink: candidateLinkUrl(config.publicUrl, token) };
      },
    }),
  ];
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { anyRole, requireMember, signedIn } from '../auth/policies.ts';
import { isoDateTime, route, uuid } from '../http/route.ts';
import { LANGUAGE_IDS, isLanguageId } from '../rooms/languages.ts';
import { getQuestion, listQuestions } from './queries.ts';
import { createQuestion, setArchived, updateQuestion } from './service.ts';
import { testCasesSchema } from './test-cases.ts';

export const MAX_TEXT = 20_000;
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 30;

export const difficultySchema = z.enum(['easy', 'medium', 'hard']);
const languageSchema = z.enum(LANGUAGE_IDS);

/** Trimmed, empty ones dropped, the same tag twice (in any case) kept once, in the order given. */
const tagsSchema = z
  .array(z.string().trim().max(MAX_TAG_LENGTH))
  .max(50)
  .transform((tags) => {
    const seen = new Set<string>();
    return tags.filter((tag) => {
      const key = tag.toLowerCase();
      if (!tag || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  })
  .pipe(z.array(z.string()).max(MAX_TAGS));

/** { language id: code }; an unknown key is named in the refusal, empty code means none for that language. */
const starterCodeSchema = z
  .record(z.string(), z.string().max(MAX_TEXT))
  .superRefine((code, ctx) => {
    const unknown = Object.keys(code).filter((key) => !isLanguageId(key));
    if (unknown.length === 0) return;
    const names = unknown.map((key) => JSON.stringify(key));
    ctx.addIssue({
      code: 'custom',
      params: {
        code: 'unknown_language',
        en: `Unknown language ${names.join(', ')}: use one of ${LANGUAGE_IDS.join(', ')}`,
        zh: `无法识别的语言 ${names.join('、')}：可用的语言有 ${LANGUAGE_IDS.join('、')}。`,
      },
    });
  })
  .transform((code) => Object.fromEntries(Object.entries(code).filter(([, text]) => text.trim() !== '')));

export const questionInputSchema = z.object({
  title: z.string().trim().min(1).max(200),
  statement: z.string().max(MAX_TEXT).default(''),
  difficulty: difficultySchema.default('medium'),
  tags: tagsSchema.default([]),
  starterCode: starterCodeSchema.default({}),
  guidance: z.string().max(MAX_TEXT).default(''),
  /** Input/expected-output cases, in order; hidden ones never reach a candidate (questions/test-cases.ts). */
  testCases: testCasesSchema.default([]),
});

export const testCaseSchema = z.object({ name: z.string(), input: z.string(), expected: z.string(), hidden: z.boolean() });

export const questionSummarySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  difficulty: difficultySchema,
  tags: z.array(z.string()),
  /** Languages with starter code, in the room's order. */
  languages: z.array(languageSchema),
  /** Interviews that use it (scheduled or past). */
  interviews: z.number().int(),
  archivedAt: z.date().nullable(),
  updatedAt: z.date(),
});

/** The full question, guidance included: members only (every route here is for signed-in members). */
export const questionDetailSchema = questionSummarySchema.extend({
  statement: z.string(),
  starterCode: z.record(z.string(), z.string()),
  /** For the panel only: never in an answer to a candidate (questions/room.ts candidateQuestion). */
  guidance: z.string(),
  /** Hidden ones included: members only, like the guidance. */
  testCases: z.array(testCaseSchema),
  createdBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  createdAt: z.date(),
});

const idParams = z.object({ id: uuid });

export function questionRoutes(context: AppContext) {
  const { db } = context;
  const editors = anyRole('recruiter', 'admin');
  return [
    route({
      method: 'GET',
      url: '/api/questions',
      summary: 'The question bank (any member; archived ones with `archived=true`)',
      policy: signedIn,
      query: z.object({ archived: z.enum(['true', 'false']).transform((v) => v === 'true').optional() }),
      response: z.object({ questions: z.array(questionSummarySchema) }),
      async handler({ query }) {
        return { questions: await listQuestions(db, query) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/questions/:id',
      summary: 'One question with its starter code and the interviewers\' guidance (members only)',
      policy: signedIn,
      params: idParams,
      response: questionDetailSchema,
      async handler({ params }) {
        return getQuestion(db, params.id);
      },
    }),
    route({
      method: 'POST',
      url: '/api/questions',
      summary: 'Add a question to the bank (recruiters, admins)',
      policy: editors,
      body: questionInputSchema,
      status: 201,
      response: questionDetailSchema,
      async handler({ body, principal }) {
        const id = await createQuestion(context, requireMember(principal), body);
        return getQuestion(db, id);
      },
    }),
    route({
      method: 'PUT',
      url: '/api/questions/:id',
      summary: 'Replace a question (recruiters, admins; needs the updatedAt you read)',
      policy: editors,
      params: idParams,
      body: questionInputSchema.extend({ updatedAt: isoDateTime }),
      response: questionDetailSchema,
      async handler({ params, body }) {
        await updateQuestion(context, params.id, body);
        return getQuestion(db, params.id);
      },
    }),
    route({
      method: 'POST',
      url: '/api/questions/:id/archive',
      summary: 'Archive a question: no longer offered when scheduling, kept for the interviews that used it',
      policy: editors,
      params: idParams,
      response: questionDetailSchema,
      async handler({ params }) {
        await setArchived(context, params.id, true);
        return getQuestion(db, params.id);
      },
    }),
    route({
      method: 'POST',
      url: '/api/questions/:id/restore',
      summary: 'Offer an archived question again',
      policy: editors,
      params: idParams,
      response: questionDetailSchema,
      async handler({ params }) {
        await setArchived(context, params.id, false);
        return getQuestion(db, params.id);
      },
    }),
  ];
}

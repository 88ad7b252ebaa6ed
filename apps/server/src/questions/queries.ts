/**
 * Reading the question bank: the list (what the bank page and the scheduling picker show), one question in full
 * (with the interviewers' guidance: only members read this, never a candidate), and the short reference an
 * interview carries.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/pool.ts';
import type { Difficulty, QuestionsTable } from '../db/schema.ts';
import { LANGUAGE_IDS, type LanguageId } from '../rooms/languages.ts';
import { questionNotFound } from './errors.ts';
import { storedTestCases } from './test-cases.ts';

export type QuestionRow = Selectable<QuestionsTable>;

/** The languages that have starter code, in the room's order. */
function languagesOf(keys: readonly string[]): LanguageId[] {
  return LANGUAGE_IDS.filter((id) => keys.includes(id));
}

export interface QuestionFilter {
  /** Include archived questions (the bank page's toggle); the picker leaves them out. */
  archived?: boolean | undefined;
}

export async function listQuestions(db: Db, filter: QuestionFilter = {}) {
  let query = db
    .selectFrom('questions as q')
    .select((eb) => [
      'q.id',
      'q.title',
      'q.difficulty',
      'q.tags',
      'q.archived_at',
      'q.updated_at',
      // Only the keys: the list never carries the code itself.
      sql<string[]>`array(select jsonb_object_keys(q.starter_code))`.as('languages'),
      eb
        .selectFrom('interviews as i')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('i.question_id', '=', 'q.id')
        .as('interviews'),
    ])
    .orderBy('q.title')
    .orderBy('q.id');
  if (!filter.archived) query = query.where('q.archived_at', 'is', null);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    difficulty: row.difficulty,
    tags: row.tags,
    languages: languagesOf(row.languages),
    interviews: Number(row.interviews ?? 0),
    archivedAt: row.archived_at,
    updatedAt: row.updated_at,
  }));
}

export type QuestionSummary = Awaited<ReturnType<typeof listQuestions>>[number];

/** One question in full, for the editor and the panel (guidance included). */
export async function getQuestion(db: Db, id: string) {
  const row = await db
    .selectFrom('questions as q')
    .leftJoin('people as p', 'p.id', 'q.created_by')
    .selectAll('q')
    .select(['p.name as creator_name'])
    .where('q.id', '=', id)
    .executeTakeFirst();
  if (!row) throw questionNotFound(id);
  const used = await db
    .selectFrom('interviews')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('question_id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    title: row.title,
    statement: row.statement,
    difficulty: row.difficulty,
    tags: row.tags,
    starterCode: orderedStarterCode(row.starter_code),
    guidance: row.guidance,
    testCases: storedTestCases(row.test_cases),
    languages: languagesOf(Object.keys(row.starter_code)),
    interviews: Number(used.n),
    createdBy: row.created_by ? { id: row.created_by, name: row.creator_name ?? '' } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}

export type QuestionDetail = Awaited<ReturnType<typeof getQuestion>>;

/** Starter code keyed in the room's language order (jsonb keeps its own order), known languages only. */
export function orderedStarterCode(code: Record<string, string>): Record<string, string> {
  const ordered: Record<string, string> = {};
  for (const id of LANGUAGE_IDS) if (typeof code[id] === 'string') ordered[id] = code[id];
  return ordered;
}

/** What an interview shows of its question: enough to recognise it, nothing of the statement or guidance. */
export interface QuestionRef {
  id: string;
  title: string;
  difficulty: Difficulty;
}

export async function questionRefs(db: Db, ids: readonly (string | null)[]): Promise<Map<string, QuestionRef>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('questions').select(['id', 'title', 'difficulty']).where('id', 'in', wanted).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

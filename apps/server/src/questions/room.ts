/**
 * The question as the room uses it: in full for the panel (statement, starter code, guidance), and the part a
 * candidate may see. The room seeds the pad from `starterCode[language]` and shows the statement beside it.
 */
import type { Db } from '../db/pool.ts';
import type { Difficulty, TestCase } from '../db/schema.ts';
import { orderedStarterCode } from './queries.ts';
import { storedTestCases, visibleExamples, type TestExample } from './test-cases.ts';

export type { Difficulty };

export interface RoomQuestion {
  id: string;
  title: string;
  statement: string;
  difficulty: Difficulty;
  tags: string[];
  starterCode: Record<string, string>;
  guidance: string;
  /** Every case, hidden ones included: the panel's Tests tab and the test runs (rooms/tests.ts). */
  testCases: TestCase[];
}

/** The interview's question, archived or not (an archived question stays with the interviews that use it). */
export async function roomQuestion(db: Db, interviewId: string): Promise<RoomQuestion | null> {
  const row = await db
    .selectFrom('interviews as i')
    .innerJoin('questions as q', 'q.id', 'i.question_id')
    .select(['q.id', 'q.title', 'q.statement', 'q.difficulty', 'q.tags', 'q.starter_code', 'q.guidance', 'q.test_cases'])
    .where('i.id', '=', interviewId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    title: row.title,
    statement: row.statement,
    difficulty: row.difficulty,
    tags: row.tags,
    starterCode: orderedStarterCode(row.starter_code),
    guidance: row.guidance,
    testCases: storedTestCases(row.test_cases),
  };
}

/**
 * What the candidate's page may receive: never the guidance, nor how the panel rates or files the question, nor a
 * hidden test case (the visible ones are the examples beside the statement).
 */
export function candidateQuestion(q: RoomQuestion): { title: string; statement: string; starterCode: Record<string, string>; examples: TestExample[] } {
  return { title: q.title, statement: q.statement, starterCode: { ...q.starterCode }, examples: visibleExamples(q.testCases) };
}

/**
 * Writing the question bank (recruiters and admins): create, replace, archive and restore a question, and the
 * check scheduling makes on the question it is given. Questions are never deleted: interviews keep pointing at
 * the one they used, archived or not.
 */
import type { MemberPrincipal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { Difficulty, TestCase } from '../db/schema.ts';
import { questionChanged, questionLocked, questionNotFound, questionNotOffered } from './errors.ts';
import { orderedStarterCode } from './queries.ts';

export interface QuestionContext {
  db: Db;
  clock: Clock;
}

/** A question as the routes hand it over: already trimmed, tags deduplicated, languages checked. */
export interface QuestionInput {
  title: string;
  statement: string;
  difficulty: Difficulty;
  tags: string[];
  starterCode: Record<string, string>;
  guidance: string;
  /** In order; none when left out. */
  testCases?: TestCase[] | undefined;
}

function columns(input: QuestionInput) {
  return {
    title: input.title,
    statement: input.statement,
    difficulty: input.difficulty,
    tags: input.tags,
    starter_code: JSON.stringify(orderedStarterCode(input.starterCode)),
    guidance: input.guidance,
    test_cases: JSON.stringify((input.testCases ?? []).map(({ name, input, expected, hidden }) => ({ name, input, expected, hidden }))),
  };
}

export async function createQuestion({ db, clock }: QuestionContext, actor: MemberPrincipal | null, input: QuestionInput): Promise<string> {
  const now = clock.now();
  const row = await db
    .insertInto('questions')
    .values({ ...columns(input), created_by: actor?.person.id ?? null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Replaces the question. `updatedAt` is the one the editor read: a question changed since by someone else is
 * refused rather than overwritten (the bank has no version column; updated_at is written from the clock, in ms).
 */
export async function updateQuestion({ db, clock }: QuestionContext, id: string, input: QuestionInput & { updatedAt: Date }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('questions').select(['updated_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw questionNotFound(id);
    if (row.updated_at.getTime() !== input.updatedAt.getTime()) throw questionChanged();
    await tx.updateTable('questions').set({ ...columns(input), updated_at: clock.now() }).where('id', '=', id).execute();
  });
}

/** Archived questions stay for the interviews that used them and are no longer offered; archiving twice is a no-op. */
export async function setArchived({ db, clock }: QuestionContext, id: string, archived: boolean): Promise<void> {
  const now = clock.now();
  const found = await db.selectFrom('questions').select(['archived_at']).where('id', '=', id).executeTakeFirst();
  if (!found) throw questionNotFound(id);
  if ((found.archived_at !== null) === archived) return;
  await db
    .updateTable('questions')
    .set({ archived_at: archived ? now : null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Scheduling may only pick a question that is in the bank and not archived (400 at `questionId` otherwise). */
export async function requireOfferableQuestion(db: Db, id: string): Promise<void> {
  const row = await db.selectFrom('questions').select(['archived_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw questionNotOffered(id, 'unknown');
  if (row.archived_at) throw questionNotOffered(id, 'archived');
}

/**
 * Before an interview's question changes (inside the scheduling transaction): refused once the room has started
 * (the pad began from the old question's starter code), and the new question must be offerable. The room row is
 * locked so a Start pressed at the same moment waits for this change, or this change sees the start.
 */
export async function requireQuestionChangeable(tx: Db, interviewId: string, questionId: string | null): Promise<void> {
  const room = await tx.selectFrom('rooms').select(['started_at']).where('interview_id', '=', interviewId).forUpdate().executeTakeFirst();
  if (room?.started_at) throw questionLocked();
  if (questionId) await requireOfferableQuestion(tx, questionId);
}

/**
 * The pad and the notes in PostgreSQL (room-design.md §2): `collab_documents` holds each document's merged state,
 * `collab_updates` every update with its author and time (playback reads it). Updates are written by one batching
 * writer a few times a second — Hocuspocus does not wait for onChange — so a crash loses at most the last batch
 * (FLUSH_MS), and clients that reconnect send even that again.
 */
import { sql } from 'kysely';
import * as Y from 'yjs';
import type { Db } from '../../db/pool.ts';
import type { AuthorKind } from '../../db/schema.ts';

/** How often buffered updates are written: the most a kill -9 can lose of what the server had received. */
export const FLUSH_MS = 250;

/**
 * Rows per INSERT: PostgreSQL takes at most 65,535 parameters per statement (7 a row), and a backlog — the writer
 * fell behind, or the database was away for a while — must still go in, not fail again on every retry.
 */
export const MAX_ROWS_PER_INSERT = 1000;

/**
 * Loading applies the updates after the stored state, and also those of the last minute before it: with several
 * processes (Redis), one process's state may miss an update another process wrote a moment earlier. Yjs updates
 * are idempotent, so the overlap is harmless.
 */
const OVERLAP = '60 seconds';

export interface Author {
  kind: AuthorKind | 'system';
  personId: string | null;
  name: string;
}

export const SYSTEM_AUTHOR: Author = { kind: 'system', personId: null, name: 'Pairview' };

interface PendingUpdate {
  document: string;
  interviewId: string;
  update: Uint8Array;
  author: Author;
  at: Date;
}

/** Applies what PostgreSQL has of `name` to `doc`; false when nothing is stored yet. */
export async function loadDocument(db: Db, name: string, doc: Y.Doc): Promise<boolean> {
  const stored = await db.selectFrom('collab_documents').select(['state', 'through_update_id', 'updated_at']).where('name', '=', name).executeTakeFirst();
  const updates = await db
    .selectFrom('collab_updates')
    .select('update')
    .where('document', '=', name)
    .$if(stored !== undefined, (q) =>
      q.where((eb) =>
        eb.or([eb('id', '>', stored!.through_update_id), eb('created_at', '>', sql<Date>`${stored!.updated_at}::timestamptz - ${OVERLAP}::interval`)]),
      ),
    )
    .orderBy('id')
    .execute();
  if (!stored && updates.length === 0) return false;
  const parts = updates.map((u) => new Uint8Array(u.update));
  if (stored) parts.unshift(new Uint8Array(stored.state));
  Y.applyUpdate(doc, Y.mergeUpdates(parts));
  return true;
}

/**
 * Writes the first content of a new document (the starter code) as its update row 0 and its first state, unless
 * another process got there first — then its content is loaded instead, so the seed never appears twice.
 */
export async function seedDocument(db: Db, name: string, interviewId: string, doc: Y.Doc, seed: (doc: Y.Doc) => void): Promise<void> {
  const scratch = new Y.Doc();
  seed(scratch);
  const update = Y.encodeStateAsUpdate(scratch);
  scratch.destroy();
  const won = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('collab_updates')
      .values({ document: name, interview_id: interviewId, update: Buffer.from(update), author_kind: 'system', person_id: null, author_name: SYSTEM_AUTHOR.name })
      .returning('id')
      .executeTakeFirstOrThrow();
    const inserted = await tx
      .insertInto('collab_documents')
      .values({ name, interview_id: interviewId, state: Buffer.from(update), through_update_id: row.id })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    if (!inserted) throw new SeedLost();
    return true;
  }).catch((error: unknown) => {
    if (error instanceof SeedLost) return false;
    throw error;
  });
  if (won) Y.applyUpdate(doc, update);
  else await loadDocument(db, name, doc);
}

class SeedLost extends Error {}

/** Buffers updates as they arrive and writes them in batches; remembers the last row written per document. */
export class UpdateLog {
  private pending: PendingUpdate[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly lastIds = new Map<string, string>();

  private readonly db: Db;
  private readonly onError: (error: unknown) => void;

  constructor(db: Db, onError: (error: unknown) => void) {
    this.db = db;
    this.onError = onError;
  }

  push(entry: PendingUpdate): void {
    this.pending.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** The id of the last update of `document` this process has written (0 when none). */
  lastWritten(document: string): string {
    return this.lastIds.get(document) ?? '0';
  }

  /** Writes everything buffered so far; resolves when it is in PostgreSQL. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      for (let start = 0; start < batch.length; start += MAX_ROWS_PER_INSERT) {
        const chunk = batch.slice(start, start + MAX_ROWS_PER_INSERT);
        try {
          const rows = await this.db
            .insertInto('collab_updates')
            .values(
              chunk.map((u) => ({
                document: u.document,
                interview_id: u.interviewId,
                update: Buffer.from(u.update),
                author_kind: u.author.kind,
                person_id: u.author.personId,
                author_name: u.author.name,
                created_at: u.at,
              })),
            )
            .returning(['id', 'document'])
            .execute();
          for (const row of rows) this.lastIds.set(row.document, row.id);
        } catch (error) {
          // What is not written yet is kept for the next flush rather than lost: the database may be restarting.
          // (concat, not unshift(...): a long backlog would overflow the call's argument list.)
          this.pending = batch.slice(start).concat(this.pending);
          this.timer ??= setTimeout(() => void this.flush(), 1000);
          this.onError(error);
          return;
        }
      }
    });
    return this.flushing;
  }
}

/** Stores the merged state; rows up to `throughUpdateId` are in it. */
export async function storeDocument(db: Db, name: string, interviewId: string, doc: Y.Doc, throughUpdateId: string): Promise<void> {
  const state = Buffer.from(Y.encodeStateAsUpdate(doc));
  await db
    .insertInto('collab_documents')
    .values({ name, interview_id: interviewId, state, through_update_id: throughUpdateId, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        state,
        through_update_id: sql`greatest(collab_documents.through_update_id, excluded.through_update_id)`,
        updated_at: new Date(),
      }),
    )
    .execute();
}

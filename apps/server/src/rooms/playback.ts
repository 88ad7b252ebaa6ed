/**
 * Playback of the pad (issue 8, "Playback"; room-design.md §2): the edit log of `code:<interview>` turned into a
 * timeline the browser replays — each update as text changes with its time and author, keyframes of the whole text
 * (and who wrote each part of it) every KEYFRAME_EVERY edits so a seek applies at most that many changes, the final
 * text, and the room's runs and integrity signals at the moments they happened.
 *
 * The edit track is the costly part (every Yjs update applied in order): it is kept in `collab_playbacks` with the
 * Yjs state it reached, and continued from there when newer updates exist. Runs, signals and the room's times are
 * read on every request (two small indexed queries), so they are never stale.
 *
 * Authors are whoever the server recorded on the update row (never the Yjs clientID, which clients choose); their
 * colours come from a fixed palette in order of first appearance, never from a client.
 */
import { sql } from 'kysely';
import * as Y from 'yjs';
import type { Db } from '../db/pool.ts';
import type { AuthorKind, RunExitStatus, SignalKind } from '../db/schema.ts';
import { interviewNotFound } from '../interviews/errors.ts';
import { PALETTE } from './collab/people.ts';

/** Bump when the cached track's shape or meaning changes: older caches are rebuilt from the log. */
export const TRACK_VERSION = 1;

/**
 * A seek applies at most this many edits after a keyframe; each keyframe is the whole text. For 20,000 edits, 1,000
 * costs a worst seek of a few ms in the browser and keeps the answer at about 775 KiB (500 adds 190 KiB for a seek
 * nobody notices; bench/playback.ts compares them).
 */
export const KEYFRAME_EVERY = 1000;

/** Update rows read per query while building, so a long log never sits in memory at once. */
const BATCH = 10_000;

/**
 * The room's palette (the same hues as the cursors, rooms/collab/people.ts): the candidate has the first colour, the
 * panel the next ones in the order they first wrote, Pairview's own seed grey.
 */
export const PLAYBACK_PALETTE = PALETTE;
export const SYSTEM_COLOR = '#868e96';

export type PlaybackAuthorKind = AuthorKind | 'system';

export interface PlaybackAuthor {
  /** Who, as the server knows them: `member:<person id>`, `candidate`, `system`. Not sent to the browser. */
  key: string;
  name: string;
  kind: PlaybackAuthorKind;
  color: string;
}

/**
 * One update's effect on the text: `[t, author, pos, del, ins, pos, del, ins, …]` — at `t` ms after the track's
 * origin, `author` (an index into authors) changed the text by one or more replacements, applied in order, each
 * deleting `del` characters at `pos` and inserting `ins` there.
 */
export type Edit = (number | string)[];

/** The text after the first `at` edits, and who wrote it: `authors` is `[author, length, author, length, …]`. */
export interface Keyframe {
  at: number;
  text: string;
  authors: number[];
}

/** What `collab_playbacks.timeline` holds. */
export interface EditTrack {
  v: number;
  /** Time 0 of the edits: when the first update was recorded. */
  origin: string;
  /** Update rows applied (a row may change no text). With throughUpdateId it shows whether rows were missed. */
  updates: number;
  throughUpdateId: string;
  authors: PlaybackAuthor[];
  edits: Edit[];
  keyframeEvery: number;
  keyframes: Keyframe[];
  finalText: string;
  finalAuthors: number[];
  /** The Yjs state after the last update (base64), to continue from. Never sent to the browser. */
  yState?: string;
}

/** One row of collab_updates, as the builder reads it. */
export interface UpdateRow {
  id: string;
  update: Uint8Array;
  author_kind: PlaybackAuthorKind;
  person_id: string | null;
  author_name: string;
  created_at: Date;
}

export function authorKey(kind: PlaybackAuthorKind, personId: string | null, name: string): string {
  if (kind === 'member') return personId ? `member:${personId}` : `member-name:${name}`;
  return kind;
}

/** Assigns colours in order of first appearance; continues from the authors already known. */
export class AuthorTable {
  readonly list: PlaybackAuthor[];
  private readonly byKey = new Map<string, number>();
  private nextMemberColor: number;

  constructor(known: readonly PlaybackAuthor[] = []) {
    this.list = known.map((a) => ({ ...a }));
    this.list.forEach((a, i) => this.byKey.set(a.key, i));
    this.nextMemberColor = 1 + this.list.filter((a) => a.kind === 'member').length;
  }

  indexOf(kind: PlaybackAuthorKind, personId: string | null, name: string): number {
    const key = authorKey(kind, personId, name);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    let color: string;
    if (kind === 'system') color = SYSTEM_COLOR;
    else if (kind === 'candidate') color = PLAYBACK_PALETTE[0];
    else {
      // Past the palette's end colours repeat: a panel of nine is not a case to design for.
      color = PLAYBACK_PALETTE[1 + ((this.nextMemberColor - 1) % (PLAYBACK_PALETTE.length - 1))]!;
      this.nextMemberColor++;
    }
    this.list.push({ key, name, kind, color });
    this.byKey.set(key, this.list.length - 1);
    return this.list.length - 1;
  }
}

/**
 * Who wrote each character of a text, as runs of one author: `[author, length, …]` flat. Kept beside the text as
 * edits apply, so every moment can be coloured by author (the web app keeps the same structure,
 * apps/web/src/room/playback/model.ts).
 */
export class AuthorRuns {
  private readonly runs: number[];

  constructor(flat: readonly number[] = []) {
    this.runs = [...flat];
  }

  get flat(): number[] {
    return [...this.runs];
  }

  insert(pos: number, length: number, author: number): void {
    if (length <= 0) return;
    const runs = this.runs;
    let start = 0;
    for (let i = 0; i < runs.length; i += 2) {
      const len = runs[i + 1]!;
      if (pos <= start + len) {
        const offset = pos - start;
        if (runs[i] === author) runs[i + 1] = len + length;
        else if (offset === 0 && i > 0 && runs[i - 2] === author) runs[i - 1]! += length;
        else if (offset === 0) runs.splice(i, 0, author, length);
        else if (offset === len) {
          if (runs[i + 2] === author) runs[i + 3]! += length;
          else runs.splice(i + 2, 0, author, length);
        } else runs.splice(i, 2, runs[i]!, offset, author, length, runs[i]!, len - offset);
        return;
      }
      start += len;
    }
    // Past the end (or an empty text): a new last run, unless the last one is the same author's.
    if (runs.length && runs[runs.length - 2] === author) runs[runs.length - 1]! += length;
    else runs.push(author, length);
  }

  delete(pos: number, length: number): void {
    const runs = this.runs;
    let i = 0;
    let start = 0;
    while (i < runs.length && start + runs[i + 1]! <= pos) {
      start += runs[i + 1]!;
      i += 2;
    }
    for (let left = length; left > 0 && i < runs.length; ) {
      const len = runs[i + 1]!;
      const offset = pos - start;
      const cut = Math.min(len - offset, left);
      left -= cut;
      if (cut === len) runs.splice(i, 2);
      else {
        runs[i + 1] = len - cut;
        if (left === 0) break;
        // The rest of the deletion starts at the next run.
        start = pos;
        i += 2;
      }
    }
    // Where whole runs went, the runs either side may be one author's: join them.
    if (i >= 2 && i < runs.length && runs[i - 2] === runs[i]) {
      runs[i - 1]! += runs[i + 1]!;
      runs.splice(i, 2);
    }
  }
}

type Replacement = [pos: number, del: number, ins: string];

function insertedText(item: Y.Item): string {
  // Embeds count as one character in Y.Text; the pad has none, but the text must keep its length.
  return item.content instanceof Y.ContentString ? item.content.str : '\uFFFC'.repeat(item.length);
}

const visible = (item: Y.Item) => (!item.deleted && item.countable ? item.length : 0);

/** Characters before `item` in its list that are in the text after the transaction, counted from the start. */
function visibleBefore(item: Y.Item): number {
  let index = 0;
  for (let left = item.left; left !== null; left = left.left) index += visible(left);
  return index;
}

/**
 * Where the last change was (an item and the characters before it), so the next one — usually a keystroke beside
 * it — is placed by walking a few items instead of the whole list from its start.
 */
class ChangeAnchor {
  private item: Y.Item | null = null;
  private index = 0;

  /**
   * The characters before `item` in the text after the transaction, when `item` is the transaction's only change.
   * Walks both ways at once until it meets the anchor or an end of the list (the text's length gives the index
   * from the right end).
   */
  indexOfOnlyChange(item: Y.Item, textLength: number): number {
    const anchor = this.item;
    if (anchor === item) return this.index;
    const own = visible(item);
    // Before the transaction, `item` was in the text iff it is deleted now (it is the only change).
    const shift = item.deleted ? -item.length : own;
    let left = item.left;
    let right = item.right;
    let leftSum = 0;
    let rightSum = 0;
    for (;;) {
      if (left === null) return leftSum;
      if (left === anchor) return this.index + visible(left) + leftSum;
      leftSum += visible(left);
      left = left.left;
      if (right === null) return textLength - rightSum - own;
      // The anchor is right of the change, so the change moved it by `shift`.
      if (right === anchor) return this.index + shift - rightSum - own;
      rightSum += visible(right);
      right = right.right;
    }
  }

  remember(item: Y.Item, index: number): void {
    this.item = item;
    this.index = index;
  }

  /**
   * At the end of a transaction Yjs merges an item into its left neighbour when they continue each other (typing):
   * the merged one leaves the list, so the anchor moves to the item that absorbed it. Call after every
   * transaction, before the next one can split that item again.
   */
  settle(): void {
    for (let item = this.item; item !== null && item.left !== null && item.left.right !== item; item = this.item) {
      const into: Y.Item = item.left;
      if (!into.deleted) this.index -= into.length - item.length;
      this.item = into;
    }
  }
}

/**
 * The text changes one transaction made to `text`, as replacements applied in order. Yjs's own `event.delta`
 * walks the whole list for every event (20,000 updates took over a second); this looks only at the items the
 * transaction added or deleted (its before/after state vectors and delete set) and counts what precedes each.
 * Applied in document order, a change's position is the number of characters before it in the text after the
 * transaction — already-applied changes are left of it and the others right — so at one position a deletion goes
 * before an insertion (they are the same place in the list, the deleted character first).
 */
export function textChanges(text: Y.Text, transaction: Y.Transaction, anchor = new ChangeAnchor()): Replacement[] {
  const store = text.doc!.store;
  const items: Y.Item[] = [];
  transaction.afterState.forEach((after, client) => {
    const before = transaction.beforeState.get(client) ?? 0;
    if (after <= before) return;
    const structs = store.clients.get(client);
    if (!structs) return;
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const struct = structs[i]!;
      if (struct.id.clock >= after) break;
      if (struct instanceof Y.Item && struct.parent === text && !struct.deleted && struct.countable) items.push(struct);
    }
  });
  transaction.deleteSet.clients.forEach((ranges, client) => {
    const structs = store.clients.get(client);
    if (!structs) return;
    const before = transaction.beforeState.get(client) ?? 0;
    for (const range of ranges) {
      for (let i = Y.findIndexSS(structs, range.clock); i < structs.length; i++) {
        const struct = structs[i]!;
        if (struct.id.clock >= range.clock + range.len) break;
        // Added and deleted in the same transaction: never in the text.
        if (struct.id.clock >= before) continue;
        if (struct instanceof Y.Item && struct.parent === text && struct.countable) items.push(struct);
      }
    }
  });
  const changes = items.map((item) => ({
    pos: items.length === 1 ? anchor.indexOfOnlyChange(item, text.length) : visibleBefore(item),
    del: item.deleted ? item.length : 0,
    ins: item.deleted ? '' : insertedText(item),
  }));
  // Every position above is in the text after the transaction, so any changed item anchors the next search.
  if (items.length > 0) anchor.remember(items[0]!, changes[0]!.pos);
  changes.sort((a, b) => a.pos - b.pos || b.del - a.del);
  const merged: Replacement[] = [];
  for (const change of changes) {
    const last = merged[merged.length - 1];
    if (last && change.pos === last[0] && last[2] === '') {
      last[1] += change.del;
      last[2] = change.ins;
    } else if (last && change.del === 0 && change.pos === last[0] + last[2].length) last[2] += change.ins;
    else merged.push([change.pos, change.del, change.ins]);
  }
  return merged;
}

/**
 * Builds the edit track by applying update rows in order, from nothing or from a cached track. `finish()` gives
 * the track to cache (with the Yjs state); call `add` in id order.
 */
export class EditTrackBuilder {
  private readonly doc = new Y.Doc();
  private readonly text: Y.Text;
  private readonly authors: AuthorTable;
  private readonly runs: AuthorRuns;
  private readonly edits: Edit[];
  private readonly keyframes: Keyframe[];
  private origin: number | undefined;
  private lastT = 0;
  private updates: number;
  private throughUpdateId: string;
  private pending: { t: number; author: number } | undefined;
  private readonly keyframeEvery: number;
  private readonly anchor = new ChangeAnchor();

  /** `keyframeEvery` other than KEYFRAME_EVERY is for the bench's comparison; a cached track keeps its own. */
  constructor(from?: EditTrack, options: { keyframeEvery?: number } = {}) {
    this.keyframeEvery = from?.keyframeEvery ?? options.keyframeEvery ?? KEYFRAME_EVERY;
    this.text = this.doc.getText('code');
    if (from?.yState) Y.applyUpdate(this.doc, Buffer.from(from.yState, 'base64'));
    this.authors = new AuthorTable(from?.authors);
    this.runs = new AuthorRuns(from?.finalAuthors);
    this.edits = from ? [...from.edits] : [];
    this.keyframes = from ? [...from.keyframes] : [{ at: 0, text: '', authors: [] }];
    this.origin = from ? new Date(from.origin).getTime() : undefined;
    this.lastT = from?.edits.length ? (from.edits[from.edits.length - 1]![0] as number) : 0;
    this.updates = from?.updates ?? 0;
    this.throughUpdateId = from?.throughUpdateId ?? '0';
    this.text.observe((event) => {
      const changes = textChanges(this.text, event.transaction, this.anchor);
      if (changes.length === 0 || !this.pending) return;
      const edit: Edit = [this.pending.t, this.pending.author];
      for (const [pos, del, ins] of changes) {
        edit.push(pos, del, ins);
        this.runs.delete(pos, del);
        this.runs.insert(pos, ins.length, this.pending.author);
      }
      this.edits.push(edit);
      if (this.edits.length % this.keyframeEvery === 0) {
        this.keyframes.push({ at: this.edits.length, text: this.text.toString(), authors: this.runs.flat });
      }
    });
  }

  add(row: UpdateRow): void {
    const at = row.created_at.getTime();
    this.origin ??= at;
    // Rows are in id order; their times can step back a little (several writers): time never runs backwards here.
    this.lastT = Math.max(this.lastT, at - this.origin);
    this.pending = { t: this.lastT, author: this.authors.indexOf(row.author_kind, row.person_id, row.author_name) };
    try {
      Y.applyUpdate(this.doc, row.update);
    } finally {
      this.pending = undefined;
      this.anchor.settle();
    }
    this.updates++;
    this.throughUpdateId = row.id;
  }

  get empty(): boolean {
    return this.origin === undefined;
  }

  finish(): EditTrack {
    const track: EditTrack = {
      v: TRACK_VERSION,
      origin: new Date(this.origin ?? 0).toISOString(),
      updates: this.updates,
      throughUpdateId: this.throughUpdateId,
      authors: this.authors.list,
      edits: this.edits,
      keyframeEvery: this.keyframeEvery,
      keyframes: this.keyframes,
      finalText: this.text.toString(),
      finalAuthors: this.runs.flat,
      yState: Buffer.from(Y.encodeStateAsUpdate(this.doc)).toString('base64'),
    };
    this.doc.destroy();
    return track;
  }
}

export const padDocument = (interviewId: string) => `code:${interviewId}`;

/** Feeds the updates after `afterId` to the builder in id order, a batch per query. */
async function readUpdates(db: Db, document: string, afterId: string, into: EditTrackBuilder, batchSize: number): Promise<void> {
  for (let after = afterId; ; ) {
    const rows = await db
      .selectFrom('collab_updates')
      .select(['id', 'update', 'author_kind', 'person_id', 'author_name', 'created_at'])
      .where('document', '=', document)
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    for (const row of rows) into.add(row);
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * The pad's edit track, from the cache when it covers every update, continued from it when newer ones exist, or
 * built from the log. Undefined when the pad has no update yet.
 *
 * Ids come from a sequence, so a row committed late can carry a lower id than one already cached (several
 * writers); the cache counts the rows it applied, and a count that no longer matches means a cold rebuild.
 *
 * The first open after the interview pays for the build (about half a second for 20,000 updates; bench); calling
 * this once the interview has ended and its last updates are written makes every open a cached one.
 */
export async function editTrack(db: Db, interviewId: string, options: { batchSize?: number } = {}): Promise<Omit<EditTrack, 'yState'> | undefined> {
  const document = padDocument(interviewId);
  const cached = await db
    .selectFrom('collab_playbacks')
    .select(['through_update_id', sql<Omit<EditTrack, 'yState'>>`timeline - 'yState'`.as('track')])
    .where('document', '=', document)
    .executeTakeFirst();
  const through = cached?.through_update_id ?? '0';
  const log = await db
    .selectFrom('collab_updates')
    .select((eb) => [
      eb.fn.countAll<string>().as('total'),
      sql<string>`count(*) filter (where id <= ${through})`.as('covered'),
    ])
    .where('document', '=', document)
    .executeTakeFirstOrThrow();
  const total = Number(log.total);
  if (total === 0) return undefined;
  const usable = cached && cached.track.v === TRACK_VERSION && Number(log.covered) === cached.track.updates;
  if (usable && total === cached.track.updates) return cached.track;

  let builder: EditTrackBuilder;
  if (usable) {
    const state = await db
      .selectFrom('collab_playbacks')
      .select(sql<string>`timeline ->> 'yState'`.as('yState'))
      .where('document', '=', document)
      .executeTakeFirstOrThrow();
    builder = new EditTrackBuilder({ ...cached.track, yState: state.yState });
  } else builder = new EditTrackBuilder();
  await readUpdates(db, document, usable ? through : '0', builder, options.batchSize ?? BATCH);
  const track = builder.finish();
  await db
    .insertInto('collab_playbacks')
    .values({ document, interview_id: interviewId, through_update_id: track.throughUpdateId, timeline: JSON.stringify(track), built_at: new Date() })
    .onConflict((oc) =>
      oc.column('document').doUpdateSet((eb) => ({
        through_update_id: eb.ref('excluded.through_update_id'),
        timeline: eb.ref('excluded.timeline'),
        built_at: eb.ref('excluded.built_at'),
      })),
    )
    .execute();
  delete track.yState;
  return track;
}

export interface PlaybackRun {
  t: number;
  author: number;
  language: string;
  code: string;
  stdin: string;
  output: string;
  outputTruncated: boolean;
  exitStatus: RunExitStatus;
  durationMs: number;
}

export interface PlaybackSignal {
  t: number;
  author: number;
  kind: SignalKind;
  chars: number | null;
  durationMs: number | null;
}

/** What GET /api/interviews/:id/playback answers (playback-routes.ts declares it). */
export interface Playback {
  interviewId: string;
  language: string;
  /** The actual start (the interviewer pressed Start) and end; null when it never happened. */
  startedAt: Date | null;
  endedAt: Date | null;
  /** Time 0 of every `t`. */
  origin: Date;
  authors: { name: string; kind: PlaybackAuthorKind; color: string }[];
  edits: Edit[];
  keyframeEvery: number;
  keyframes: Keyframe[];
  finalText: string;
  runs: PlaybackRun[];
  signals: PlaybackSignal[];
}

/** The whole playback of an interview's pad: edit track (cached), runs, signals and the room's times. */
export async function loadPlayback(db: Db, interviewId: string): Promise<Playback> {
  const interview = await db
    .selectFrom('interviews')
    .leftJoin('rooms', 'rooms.interview_id', 'interviews.id')
    .select(['interviews.starts_at', 'interviews.completed_at', 'rooms.started_at', 'rooms.ended_at', 'rooms.language'])
    .where('interviews.id', '=', interviewId)
    .executeTakeFirst();
  if (!interview) throw interviewNotFound(interviewId);
  const [track, runs, signals] = await Promise.all([
    editTrack(db, interviewId),
    db
      .selectFrom('room_runs')
      .select(['language', 'code', 'stdin', 'output', 'output_truncated', 'exit_status', 'duration_ms', 'author_kind', 'person_id', 'author_name', 'created_at'])
      .where('interview_id', '=', interviewId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('room_signals')
      .select(['kind', 'chars', 'duration_ms', 'author_kind', 'person_id', 'author_name', 'created_at'])
      .where('interview_id', '=', interviewId)
      .orderBy('created_at')
      .execute(),
  ]);
  const origin = track ? new Date(track.origin) : (interview.started_at ?? interview.starts_at);
  // People who ran code or raised a signal but never typed come after the authors of the text.
  const authors = new AuthorTable(track?.authors);
  const t = (at: Date) => at.getTime() - origin.getTime();
  return {
    interviewId,
    language: interview.language ?? 'javascript',
    startedAt: interview.started_at,
    endedAt: interview.completed_at ?? interview.ended_at,
    origin,
    edits: track?.edits ?? [],
    keyframeEvery: track?.keyframeEvery ?? KEYFRAME_EVERY,
    keyframes: track?.keyframes ?? [{ at: 0, text: '', authors: [] }],
    finalText: track?.finalText ?? '',
    runs: runs.map((run) => ({
      t: t(run.created_at),
      author: authors.indexOf(run.author_kind, run.person_id, run.author_name),
      language: run.language,
      code: run.code,
      stdin: run.stdin,
      output: run.output,
      outputTruncated: run.output_truncated,
      exitStatus: run.exit_status,
      durationMs: run.duration_ms,
    })),
    signals: signals.map((signal) => ({
      t: t(signal.created_at),
      author: authors.indexOf(signal.author_kind, signal.person_id, signal.author_name),
      kind: signal.kind,
      chars: signal.chars,
      durationMs: signal.duration_ms,
    })),
    authors: authors.list.map(({ name, kind, color }) => ({ name, kind, color })),
  };
}

/**
 * A simulated pad session for playback tests and the bench: Pairview's seed (the starter code), then a candidate
 * and an interviewer typing code into their own Y.Docs over simulated time — mostly single characters, some
 * backspaces, cursor moves, a few pastes, now and then two edits made at once before either side has the other's
 * (so updates arrive concurrent) — with pauses between bursts. Deterministic for a seed.
 */
import * as Y from 'yjs';
import type { Db } from '../src/db/pool.ts';
import type { PlaybackAuthorKind } from '../src/rooms/playback.ts';

export interface SessionAuthor {
  kind: PlaybackAuthorKind;
  personId: string | null;
  name: string;
}

export interface SessionUpdate {
  update: Uint8Array;
  author: SessionAuthor;
  at: Date;
  /** The pad's text once this update is applied (in order) to a fresh document. */
  text: string;
  /** This update was a paste (over PASTE_CHARS characters at once). */
  paste?: number;
}

export interface SessionOptions {
  start: Date;
  /** Edits after the seed. */
  edits: number;
  durationMs: number;
  candidate: SessionAuthor;
  interviewer: SessionAuthor;
  seed?: number;
  /** Pastes spread over the session. */
  pastes?: number;
  starterCode?: string;
}

export const SYSTEM: SessionAuthor = { kind: 'system', personId: null, name: 'Pairview' };

const CODE = `def two_sum(nums, target):
    seen = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
    return []


def longest_run(values):
    best = current = 0
    previous = None
    for value in values:
        current = current + 1 if value == previous else 1
        best = max(best, current)
        previous = value
    return best


print(two_sum([2, 7, 11, 15], 9))
print(longest_run([1, 1, 2, 2, 2, 3]))
`;

const COMMENT = `# Interviewer: what happens with an empty list? And with negative numbers?
`;

const PASTE = `class LRUCache:
    def __init__(self, capacity):
        self.capacity = capacity
        self.items = {}

    def get(self, key):
        if key not in self.items:
            return -1
        value = self.items.pop(key)
        self.items[key] = value
        return value

    def put(self, key, value):
        self.items.pop(key, None)
        self.items[key] = value
        if len(self.items) > self.capacity:
            self.items.pop(next(iter(self.items)))
`;

function random(seed: number) {
  let state = seed % 2147483647 || 1;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

/** The session's updates, in the order the server would log them, each with its time, author and resulting text. */
export function simulateSession(options: SessionOptions): SessionUpdate[] {
  const rnd = random(options.seed ?? 7);
  const updates: SessionUpdate[] = [];
  const truth = new Y.Doc();
  const truthText = truth.getText('code');
  const record = (update: Uint8Array, author: SessionAuthor, at: number, paste?: number) => {
    Y.applyUpdate(truth, update);
    updates.push({ update, author, at: new Date(at), text: truthText.toString(), ...(paste ? { paste } : {}) });
  };

  const seedDoc = new Y.Doc();
  seedDoc.getText('code').insert(0, options.starterCode ?? '# Write your solution here\n\n');
  const seedUpdate = Y.encodeStateAsUpdate(seedDoc);
  // The seed is written when the room first opens, a few minutes before the start.
  record(seedUpdate, SYSTEM, options.start.getTime() - 5 * 60_000);

  const people = [
    { author: options.candidate, doc: new Y.Doc(), cursor: 0, source: CODE, next: 0, share: 0.8 },
    { author: options.interviewer, doc: new Y.Doc(), cursor: 0, source: COMMENT, next: 0, share: 0.2 },
  ];
  for (const p of people) {
    Y.applyUpdate(p.doc, seedUpdate);
    p.cursor = p.doc.getText('code').length;
  }

  // Bursts of typing separated by pauses; times are scaled to the session's length afterwards.
  const gaps: number[] = [];
  for (let i = 0; i < options.edits; i++) gaps.push(rnd() < 0.01 ? 3000 + rnd() * 40_000 : 60 + rnd() * 180);
  const scale = options.durationMs / gaps.reduce((sum, gap) => sum + gap, 0);
  const pasteEvery = options.pastes ? Math.floor(options.edits / (options.pastes + 1)) : Infinity;

  let at = options.start.getTime();
  let typist = people[0]!;
  for (let i = 0; i < options.edits; i++) {
    at += Math.max(1, Math.round(gaps[i]! * scale));
    if (rnd() < 0.01) typist = rnd() < typist.share ? people[0]! : people[1]!;
    const text = typist.doc.getText('code');
    typist.cursor = Math.min(typist.cursor, text.length);
    if (rnd() < 0.015) typist.cursor = Math.floor(rnd() * (text.length + 1));

    let update: Uint8Array | undefined;
    let paste: number | undefined;
    const capture = (u: Uint8Array) => (update = u);
    typist.doc.on('update', capture);
    if ((i + 1) % pasteEvery === 0) {
      text.insert(typist.cursor, PASTE);
      typist.cursor += PASTE.length;
      paste = PASTE.length;
    } else if (rnd() < 0.1 && typist.cursor > 0) {
      text.delete(typist.cursor - 1, 1);
      typist.cursor--;
    } else {
      const ch = typist.source[typist.next % typist.source.length]!;
      typist.next++;
      text.insert(typist.cursor, ch);
      typist.cursor++;
    }
    typist.doc.off('update', capture);
    record(update!, typist.author, at, paste);

    // The other side usually has it at once; now and then it types before hearing of it (concurrent edits).
    const other = typist === people[0] ? people[1]! : people[0]!;
    if (rnd() < 0.97) Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(typist.doc, Y.encodeStateVector(other.doc)));
    else {
      const otherText = other.doc.getText('code');
      let concurrent: Uint8Array | undefined;
      const take = (u: Uint8Array) => (concurrent = u);
      other.doc.on('update', take);
      otherText.insert(Math.min(other.cursor, otherText.length), ' ');
      other.doc.off('update', take);
      other.cursor++;
      i++;
      at += 1;
      record(concurrent!, other.author, at);
      Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(typist.doc, Y.encodeStateVector(other.doc)));
      Y.applyUpdate(typist.doc, Y.encodeStateAsUpdate(other.doc, Y.encodeStateVector(typist.doc)));
    }
  }
  return updates;
}

/** Writes the session into collab_updates for the interview's pad, in order (ids follow). */
export async function insertSession(db: Db, interviewId: string, updates: readonly SessionUpdate[]): Promise<void> {
  for (let i = 0; i < updates.length; i += 1000) {
    await db
      .insertInto('collab_updates')
      .values(
        updates.slice(i, i + 1000).map((u) => ({
          document: `code:${interviewId}`,
          interview_id: interviewId,
          update: Buffer.from(u.update),
          author_kind: u.author.kind,
          person_id: u.author.personId,
          author_name: u.author.name,
          created_at: u.at,
        })),
      )
      .execute();
  }
}

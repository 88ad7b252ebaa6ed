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
  /** What a paste inserts (default: an 18-line class). */
  pasteText?: string;
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

  // A cursor is an index while its owner types, and a Yjs relative position while someone else's edits arrive, so
  // it moves with them as an editor's does (converted only then: each conversion walks the document).
  const people = [
    { author: options.candidate, doc: new Y.Doc(), index: null as number | null, cursor: null as Y.RelativePosition | null, source: CODE, next: 0, share: 0.8, typed: false },
    { author: options.interviewer, doc: new Y.Doc(), index: null as number | null, cursor: null as Y.RelativePosition | null, source: COMMENT, next: 0, share: 0.2, typed: false },
  ];
  type Person = (typeof people)[number];
  for (const p of people) Y.applyUpdate(p.doc, seedUpdate);
  const cursorOf = (p: Person) => {
    if (p.index === null) {
      const absolute = p.cursor && Y.createAbsolutePositionFromRelativePosition(p.cursor, p.doc);
      p.index = absolute ? absolute.index : p.doc.getText('code').length;
    }
    return p.index;
  };
  const receive = (p: Person, update: Uint8Array) => {
    if (p.index !== null) p.cursor = Y.createRelativePositionFromTypeIndex(p.doc.getText('code'), p.index);
    p.index = null;
    Y.applyUpdate(p.doc, update);
  };
  const edit = (p: Person, change: (text: Y.Text) => void): Uint8Array => {
    let update: Uint8Array | undefined;
    const capture = (u: Uint8Array) => (update = u);
    p.doc.on('update', capture);
    change(p.doc.getText('code'));
    p.doc.off('update', capture);
    return update!;
  };

  // Bursts of typing separated by pauses; times are scaled to the session's length afterwards.
  const gaps: number[] = [];
  for (let i = 0; i < options.edits; i++) gaps.push(rnd() < 0.01 ? 3000 + rnd() * 40_000 : 60 + rnd() * 180);
  const scale = options.durationMs / gaps.reduce((sum, gap) => sum + gap, 0);
  const pastes = options.pastes ?? 0;
  const pasteAt = new Set(Array.from({ length: pastes }, (_, k) => Math.floor(((k + 1) * options.edits) / (pastes + 1))));
  const pasted = options.pasteText ?? PASTE;

  let at = options.start.getTime();
  let typist = people[0]!;
  for (let i = 0; i < options.edits; i++) {
    at += Math.max(1, Math.round(gaps[i]! * scale));
    if (rnd() < 0.01) {
      const next = rnd() < typist.share ? people[0]! : people[1]!;
      if (next !== typist) next.typed = false;
      typist = next;
    }
    const text = typist.doc.getText('code');
    let cursor = cursorOf(typist);
    if (rnd() < 0.006) {
      // A click at the end of some line.
      const newline = text.toString().indexOf('\n', Math.floor(rnd() * text.length));
      cursor = newline < 0 ? text.length : newline;
      typist.typed = false;
    }

    let paste: number | undefined;
    let update: Uint8Array;
    if (pasteAt.has(i)) {
      update = edit(typist, (t) => t.insert(cursor, pasted));
      cursor += pasted.length;
      paste = pasted.length;
    } else if (rnd() < 0.1 && typist.typed && cursor > 0) {
      // A typo taken back: the character goes, and is typed again next.
      update = edit(typist, (t) => t.delete(cursor - 1, 1));
      cursor--;
      typist.next--;
      typist.typed = typist.next > 0;
    } else {
      const ch = typist.source[typist.next % typist.source.length]!;
      typist.next++;
      update = edit(typist, (t) => t.insert(cursor, ch));
      cursor++;
      typist.typed = true;
    }
    typist.index = cursor;
    record(update, typist.author, at, paste);

    // The other side usually has it at once; now and then it types before hearing of it (concurrent edits).
    const other = typist === people[0] ? people[1]! : people[0]!;
    if (rnd() < 0.97) receive(other, update);
    else {
      const otherCursor = cursorOf(other);
      const concurrent = edit(other, (t) => t.insert(otherCursor, ' '));
      other.index = otherCursor + 1;
      i++;
      at += 1;
      record(concurrent, other.author, at);
      receive(other, update);
      receive(typist, concurrent);
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

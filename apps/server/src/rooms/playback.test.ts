import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { insertSession, simulateSession, type SessionAuthor } from '../../test/playback-session.ts';
import { rolesOf } from '../auth/principal.ts';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import { createInterview } from '../interviews/service.ts';
import {
  AuthorRuns,
  EditTrackBuilder,
  KEYFRAME_EVERY,
  PLAYBACK_PALETTE,
  SYSTEM_COLOR,
  editTrack,
  loadPlayback,
  type Edit,
  type EditTrack,
  type UpdateRow,
} from './playback.ts';

function random(seed: number) {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

/** Applies one edit's replacements to `text`. */
function applyEdit(text: string, edit: Edit): string {
  for (let i = 2; i < edit.length; i += 3) {
    const pos = edit[i] as number;
    text = text.slice(0, pos) + (edit[i + 2] as string) + text.slice(pos + (edit[i + 1] as number));
  }
  return text;
}

/** Who wrote each character, one entry per character: the slow, obviously right model AuthorRuns must match. */
function applyEditToOwners(owners: number[], edit: Edit): void {
  for (let i = 2; i < edit.length; i += 3) {
    const ins = edit[i + 2] as string;
    owners.splice(edit[i] as number, edit[i + 1] as number, ...Array<number>(ins.length).fill(edit[1] as number));
  }
}

function expandRuns(flat: readonly number[]): number[] {
  const owners: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    expect(flat[i + 1], 'no empty run').toBeGreaterThan(0);
    if (i > 0) expect(flat[i], 'neighbouring runs are different authors').not.toBe(flat[i - 2]);
    for (let n = 0; n < flat[i + 1]!; n++) owners.push(flat[i]!);
  }
  return owners;
}

const people: SessionAuthor[] = [
  { kind: 'candidate', personId: null, name: 'Xiaoming' },
  { kind: 'member', personId: '00000000-0000-4000-8000-00000000000a', name: 'Alice' },
  { kind: 'member', personId: '00000000-0000-4000-8000-00000000000b', name: 'Bob' },
];

/**
 * Three clients editing at random — inserts, deletes of ranges, edits made before syncing (concurrent) — and the
 * server receiving their updates in a shuffled order, so some arrive before what they build on (Yjs holds them
 * pending and applies them with a later update).
 */
function randomRows(seed: number, count: number): { rows: UpdateRow[]; texts: string[] } {
  const rnd = random(seed);
  const docs = people.map(() => new Y.Doc());
  const log: { update: Uint8Array; author: SessionAuthor }[] = [];
  docs.forEach((doc, i) => doc.on('update', (update: Uint8Array, origin: unknown) => origin !== 'sync' && log.push({ update, author: people[i]! })));
  for (let step = 0; step < count; step++) {
    const who = Math.floor(rnd() * docs.length);
    const text = docs[who]!.getText('code');
    if (rnd() < 0.3 && text.length > 0) {
      const pos = Math.floor(rnd() * text.length);
      text.delete(pos, Math.min(text.length - pos, 1 + Math.floor(rnd() * 5)));
    } else {
      const chunk = rnd() < 0.1 ? 'line\n'.repeat(1 + Math.floor(rnd() * 3)) : 'abcdefghij'[Math.floor(rnd() * 10)]!;
      text.insert(Math.floor(rnd() * (text.length + 1)), chunk);
    }
    if (rnd() < 0.05) {
      // Two edits in one transaction: a deletion and an insertion apart.
      docs[who]!.transact(() => {
        if (text.length > 2) text.delete(0, 1);
        text.insert(text.length, 'Z');
      });
    }
    if (rnd() < 0.05 && text.length > 0) {
      // Typing over a selection: deletion and insertion at one place, in one transaction.
      const pos = Math.floor(rnd() * text.length);
      docs[who]!.transact(() => {
        text.delete(pos, Math.min(text.length - pos, 1 + Math.floor(rnd() * 3)));
        text.insert(pos, 'R');
      });
    }
    if (rnd() < 0.6) {
      for (const a of docs) for (const b of docs) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'sync');
    }
  }
  // Delivery order: mostly in order, some updates swapped with the next ones.
  for (let i = 0; i + 1 < log.length; i++) if (rnd() < 0.15) [log[i], log[i + 1]] = [log[i + 1]!, log[i]!];
  const truth = new Y.Doc();
  const texts: string[] = [];
  const rows = log.map((entry, i): UpdateRow => {
    Y.applyUpdate(truth, entry.update);
    texts.push(truth.getText('code').toString());
    return {
      id: String(i + 1),
      update: entry.update,
      author_kind: entry.author.kind,
      person_id: entry.author.personId,
      author_name: entry.author.name,
      created_at: new Date(1_900_000_000_000 + i * 1000),
    };
  });
  return { rows, texts };
}

function build(rows: readonly UpdateRow[], from?: EditTrack): EditTrack {
  const builder = new EditTrackBuilder(from);
  for (const row of rows) builder.add(row);
  return builder.finish();
}

describe('the edit track', () => {
  it('replays to the text of every moment, for concurrent, out-of-order and multi-change updates', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { rows, texts } = randomRows(seed, 400);
      const track = build(rows);
      let text = '';
      let row = 0;
      for (const edit of track.edits) {
        // Each row is a second apart: an edit's time names the update it came from.
        const from = (edit[0] as number) / 1000;
        for (; row < from; row++) expect(texts[row], `seed ${seed}: update ${row + 1} changed no text`).toBe(text);
        text = applyEdit(text, edit);
        expect(text, `seed ${seed}: after update ${from + 1}`).toBe(texts[from]);
        row = from + 1;
      }
      expect(track.finalText).toBe(texts[texts.length - 1]);
      expect(text).toBe(track.finalText);
    }
  });

  it('keeps keyframes of the text and its authors every KEYFRAME_EVERY edits, matching a replay', () => {
    const { rows } = randomRows(11, 2600);
    const track = build(rows);
    expect(track.edits.length).toBeGreaterThan(2 * KEYFRAME_EVERY);
    expect(track.keyframes.map((k) => k.at)).toEqual(Array.from({ length: Math.floor(track.edits.length / KEYFRAME_EVERY) + 1 }, (_, i) => i * KEYFRAME_EVERY));
    let text = '';
    const owners: number[] = [];
    track.edits.forEach((edit, i) => {
      const keyframe = track.keyframes.find((k) => k.at === i);
      if (keyframe) {
        expect(keyframe.text).toBe(text);
        expect(expandRuns(keyframe.authors)).toEqual(owners);
      }
      text = applyEdit(text, edit);
      applyEditToOwners(owners, edit);
    });
    expect(expandRuns(track.finalAuthors)).toEqual(owners);
  });

  it('continued from a cached track equals the track built from the whole log', () => {
    const { rows } = randomRows(21, 900);
    const whole = build(rows);
    const first = build(rows.slice(0, 517));
    const continued = build(rows.slice(517), JSON.parse(JSON.stringify(first)) as EditTrack);
    const { yState: a, ...wholeRest } = whole;
    const { yState: b, ...continuedRest } = continued;
    expect(continuedRest).toEqual(wholeRest);
    expect(a && b).toBeTruthy();
  });

  it('colours authors from the palette in order of first appearance: the candidate first colour, Pairview grey', () => {
    const row = (id: number, author: SessionAuthor, text: string): UpdateRow => {
      const doc = new Y.Doc();
      doc.getText('code').insert(0, text);
      return { id: String(id), update: Y.encodeStateAsUpdate(doc), author_kind: author.kind, person_id: author.personId, author_name: author.name, created_at: new Date(1_900_000_000_000 + id) };
    };
    const track = build([row(1, { kind: 'system', personId: null, name: 'Pairview' }, 'a'), row(2, people[2]!, 'b'), row(3, people[0]!, 'c'), row(4, people[1]!, 'd'), row(5, people[2]!, 'e')]);
    expect(track.authors.map((a) => [a.name, a.color])).toEqual([
      ['Pairview', SYSTEM_COLOR],
      ['Bob', PLAYBACK_PALETTE[1]],
      ['Xiaoming', PLAYBACK_PALETTE[0]],
      ['Alice', PLAYBACK_PALETTE[2]],
    ]);
  });
});

describe('AuthorRuns', () => {
  it('matches a per-character model through random inserts and deletes', () => {
    const rnd = random(5);
    const runs = new AuthorRuns();
    const owners: number[] = [];
    for (let step = 0; step < 3000; step++) {
      if (rnd() < 0.4 && owners.length) {
        const pos = Math.floor(rnd() * owners.length);
        const len = Math.min(owners.length - pos, 1 + Math.floor(rnd() * 8));
        runs.delete(pos, len);
        owners.splice(pos, len);
      } else {
        const pos = Math.floor(rnd() * (owners.length + 1));
        const len = 1 + Math.floor(rnd() * 4);
        const author = Math.floor(rnd() * 3);
        runs.insert(pos, len, author);
        owners.splice(pos, 0, ...Array<number>(len).fill(author));
      }
      expect(expandRuns(runs.flat)).toEqual(owners);
    }
  });
});

describe('loading a playback', () => {
  let database: MigratedTestDatabase;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  const start = new Date('2030-01-08T06:00:00.000Z');

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_playback');
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function interview() {
    const recruiter = await createPerson(database.db, { roles: ['recruiter'] });
    const alice = await createPerson(database.db, { name: 'Alice Wang' });
    const { interviewId } = await createInterview({ db: database.db, clock }, { kind: 'member', person: recruiter, roles: rolesOf(recruiter, new Set()) }, {
      candidate: { name: 'Wang Xiaoming' },
      position: 'Backend engineer',
      startsAt: start,
      durationMinutes: 60,
      interviewerIds: [alice.id],
    });
    return { interviewId, alice };
  }

  it('is an empty timeline before anyone typed, not an error', async () => {
    const { interviewId } = await interview();
    const playback = await loadPlayback(database.db, interviewId);
    expect(playback).toMatchObject({ edits: [], finalText: '', keyframes: [{ at: 0, text: '', authors: [] }], runs: [], signals: [], authors: [], startedAt: null });
    expect(await database.db.selectFrom('collab_playbacks').selectAll().execute()).toEqual([]);
  });

  it('builds once, then serves the cache; continues it when newer updates exist; rebuilds when a late row appears', async () => {
    const { interviewId, alice } = await interview();
    await database.db.updateTable('rooms').set({ started_at: start, language: 'python' }).where('interview_id', '=', interviewId).execute();
    const session = simulateSession({
      start,
      edits: 1200,
      durationMs: 20 * 60_000,
      candidate: { kind: 'candidate', personId: null, name: 'Xiaoming' },
      interviewer: { kind: 'member', personId: alice.id, name: 'Alice Wang' },
      pastes: 1,
    });
    await insertSession(database.db, interviewId, session.slice(0, 700));

    const first = await loadPlayback(database.db, interviewId);
    expect(first.finalText).toBe(session[699]!.text);
    expect(first.language).toBe('python');
    expect(first.startedAt).toEqual(start);
    expect(first.origin).toEqual(session[0]!.at);
    expect(first.authors).toEqual([
      { name: 'Pairview', kind: 'system', color: SYSTEM_COLOR },
      { name: 'Xiaoming', kind: 'candidate', color: PLAYBACK_PALETTE[0] },
      { name: 'Alice Wang', kind: 'member', color: PLAYBACK_PALETTE[1] },
    ]);
    const cached = await database.db.selectFrom('collab_playbacks').selectAll().where('document', '=', `code:${interviewId}`).executeTakeFirstOrThrow();
    const lastId = await database.db.selectFrom('collab_updates').select((eb) => eb.fn.max('id').as('id')).where('interview_id', '=', interviewId).executeTakeFirstOrThrow();
    expect(cached.through_update_id).toBe(lastId.id);
    expect((cached.timeline as EditTrack).yState).toEqual(expect.any(String));

    // Served from the cache: the row is not written again.
    const again = await loadPlayback(database.db, interviewId);
    expect(again).toEqual(first);
    const reread = await database.db.selectFrom('collab_playbacks').select('built_at').where('document', '=', `code:${interviewId}`).executeTakeFirstOrThrow();
    expect(reread.built_at).toEqual(cached.built_at);

    // Newer updates: continued from the cached state, and the same as a build from the whole log.
    await insertSession(database.db, interviewId, session.slice(700));
    const continued = await loadPlayback(database.db, interviewId);
    expect(continued.finalText).toBe(session[session.length - 1]!.text);
    expect(continued.edits.slice(0, first.edits.length)).toEqual(first.edits);
    await database.db.deleteFrom('collab_playbacks').where('document', '=', `code:${interviewId}`).execute();
    const cold = await loadPlayback(database.db, interviewId);
    expect(cold).toEqual(continued);

    // A row committed late with a lower id than the cache has seen (several writers): the cache is rebuilt.
    const rows = await database.db.selectFrom('collab_updates').selectAll().where('interview_id', '=', interviewId).orderBy('id').execute();
    const late = rows[900]!;
    await database.db.deleteFrom('collab_updates').where('id', '=', late.id).execute();
    await database.db.deleteFrom('collab_playbacks').where('document', '=', `code:${interviewId}`).execute();
    const without = await editTrack(database.db, interviewId);
    expect(without!.updates).toBe(rows.length - 1);
    await sql`insert into collab_updates (id, document, interview_id, update, author_kind, person_id, author_name, created_at)
      values (${late.id}, ${late.document}, ${late.interview_id}, ${late.update}, ${late.author_kind}, ${late.person_id}, ${late.author_name}, ${late.created_at})`.execute(database.db);
    const rebuilt = await editTrack(database.db, interviewId);
    expect(rebuilt!.updates).toBe(rows.length);
    expect(rebuilt!.finalText).toBe(session[session.length - 1]!.text);

    // Read a batch at a time — the last one part full, or full (then one more query finds nothing): the same track.
    for (const batchSize of [100, rows.length]) {
      await database.db.deleteFrom('collab_playbacks').where('document', '=', `code:${interviewId}`).execute();
      expect(await editTrack(database.db, interviewId, { batchSize })).toEqual(rebuilt);
    }
  });

  it('places runs and signals on the same clock as the edits, with their authors', async () => {
    const { interviewId, alice } = await interview();
    const session = simulateSession({
      start,
      edits: 50,
      durationMs: 60_000,
      candidate: { kind: 'candidate', personId: null, name: 'Xiaoming' },
      interviewer: { kind: 'member', personId: alice.id, name: 'Alice Wang' },
    });
    await insertSession(database.db, interviewId, session);
    const bob = await createPerson(database.db, { name: 'Bob Chen' });
    const ranAt = new Date(start.getTime() + 30_000);
    await database.db
      .insertInto('room_runs')
      .values({ interview_id: interviewId, language: 'python', code: 'print(1)', stdin: '', output: '1\n', exit_status: 'ok', duration_ms: 42, author_kind: 'member', person_id: bob.id, author_name: 'Bob Chen', created_at: ranAt })
      .execute();
    await database.db
      .insertInto('room_signals')
      .values({ interview_id: interviewId, kind: 'focus_lost', author_kind: 'candidate', person_id: null, author_name: 'Xiaoming', duration_ms: 8000, created_at: ranAt })
      .execute();
    const playback = await loadPlayback(database.db, interviewId);
    const t = ranAt.getTime() - session[0]!.at.getTime();
    expect(playback.runs).toEqual([{ t, author: 3, language: 'python', code: 'print(1)', stdin: '', output: '1\n', outputTruncated: false, exitStatus: 'ok', durationMs: 42 }]);
    expect(playback.signals).toEqual([{ t, author: 1, kind: 'focus_lost', chars: null, durationMs: 8000 }]);
    expect(playback.authors[3]).toEqual({ name: 'Bob Chen', kind: 'member', color: PLAYBACK_PALETTE[2] });
  });
});

describe('GET /api/interviews/:id/playback', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  const start = new Date('2030-01-08T06:00:00.000Z');
  let interviewId: string;
  let token: string;
  let session: ReturnType<typeof simulateSession>;
  const cookies = {} as Record<'interviewer' | 'outsider' | 'recruiter', string>;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_playback_http');
    app = await buildTestApp(database, { clock });
    const recruiter = await createPerson(database.db, { roles: ['recruiter'] });
    const alice = await createPerson(database.db, { name: 'Alice Wang' });
    const outsider = await createPerson(database.db, { name: 'Oscar Outside' });
    const created = await createInterview({ db: database.db, clock }, { kind: 'member', person: recruiter, roles: rolesOf(recruiter, new Set()) }, {
      candidate: { name: 'Wang Xiaoming' },
      position: 'Backend engineer',
      startsAt: start,
      durationMinutes: 60,
      interviewerIds: [alice.id],
    });
    interviewId = created.interviewId;
    token = created.candidateLinkToken;
    session = simulateSession({
      start,
      edits: 300,
      durationMs: 10 * 60_000,
      candidate: { kind: 'candidate', personId: null, name: 'Xiaoming' },
      interviewer: { kind: 'member', personId: alice.id, name: 'Alice Wang' },
    });
    await insertSession(database.db, interviewId, session);
    cookies.interviewer = await sessionCookie(app, database.db, alice.id, clock);
    cookies.outsider = await sessionCookie(app, database.db, outsider.id, clock);
    cookies.recruiter = await sessionCookie(app, database.db, recruiter.id, clock);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('answers the panel with the timeline, and tells every cache on the way not to keep it', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/interviews/${interviewId}/playback`, headers: { cookie: cookies.interviewer } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.finalText).toBe(session[session.length - 1]!.text);
    expect(body.origin).toBe(session[0]!.at.toISOString());
    // The server's own bookkeeping stays on the server.
    expect(response.body).not.toMatch(/yState|throughUpdateId|"key"|member:/);
  });

  it('refuses a candidate link and an outsider, and says so in both languages', async () => {
    const candidate = await app.inject({ method: 'GET', url: `/api/interviews/${interviewId}/playback`, headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect(candidate.statusCode).toBe(401);
    const outsider = await app.inject({ method: 'GET', url: `/api/interviews/${interviewId}/playback`, headers: { cookie: cookies.outsider } });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json()).toMatchObject({ error: 'forbidden', messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) });
    expect(outsider.body).not.toContain('Xiaoming');
  });

  it('answers 404 for an interview that does not exist, and 400 for an id that is not one', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/interviews/00000000-0000-4000-8000-000000000000/playback', headers: { cookie: cookies.recruiter } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'interview_not_found' });
    const malformed = await app.inject({ method: 'GET', url: '/api/interviews/not-an-id/playback', headers: { cookie: cookies.recruiter } });
    expect(malformed.statusCode).toBe(400);
  });
});

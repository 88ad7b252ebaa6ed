/**
 * `npm run bench:playback -w @pairview/server` (also the last part of `npm run bench`): opening the playback of a
 * 60-minute interview with 20,000 edits (issue 8: goal ≤ 300 ms).
 *
 * The session is simulated (test/playback-session.ts): the starter code, then a candidate and an interviewer typing
 * code — mostly single characters, some backspaces and cursor moves, 4 pastes, a few concurrent edits — plus
 * 12 runs and 7 integrity signals, in a fresh test database. Measured, each as the median of RUNS:
 * - cold open: GET /api/interviews/:id/playback through the app (`inject`) with no cache — every update applied,
 *   the track stored in collab_playbacks, the answer sent;
 * - cached open: the same GET once the cache covers every update (what everyone after the first viewer gets);
 * - continued open: 100 updates newer than the cache (the track continued from its cached Yjs state);
 * - the browser's side, in Node: parsing the answer, building the model, and seeking to a moment (apply the edits
 *   after the nearest keyframe) — at random moments and at the end;
 * - the keyframe interval's trade-off (answer size against the worst seek), built in-process.
 * Needs PostgreSQL (TEST_DATABASE_URL, DATABASE_URL, or 127.0.0.1:5432).
 */
import { gzipSync } from 'node:zlib';
import { buildApp } from '../src/app.ts';
import { SESSION_COOKIE, createSession } from '../src/auth/sessions.ts';
import { rolesOf } from '../src/auth/principal.ts';
import { loadConfig } from '../src/config.ts';
import { createInterview } from '../src/interviews/service.ts';
import { EditTrackBuilder, KEYFRAME_EVERY, padDocument } from '../src/rooms/playback.ts';
import { createMigratedDatabase } from '../test/database.ts';
import { insertSession, simulateSession } from '../test/playback-session.ts';
import { PlaybackModel, type PlaybackData } from '../../web/src/room/playback/model.ts';

const EDITS = 20_000;
const DURATION_MS = 60 * 60_000;
const RUNS = 7;
const SEEKS = 2_000;
const CONTINUED = 100;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
};
const ms = (value: number) => Number(value.toFixed(value < 1 ? 3 : 1));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

function random(seed: number) {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

async function time<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const started = performance.now();
  const result = await fn();
  return [performance.now() - started, result];
}

export interface PlaybackBenchRow {
  what: string;
  'median ms': number;
  'min ms': number;
  'max ms': number;
  note: string;
}

export async function benchPlayback(options: { print?: boolean } = {}): Promise<PlaybackBenchRow[]> {
  const database = await createMigratedDatabase('pv_bench_playback');
  const app = await buildApp({
    config: loadConfig({ SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789', LOG_LEVEL: 'silent' }),
    db: database.db,
    pool: database.pool,
  });
  try {
    const db = database.db;
    const clock = { now: () => new Date('2030-01-07T02:00:00.000Z') };
    const [recruiter, alice] = await db
      .insertInto('people')
      .values([
        { wecom_userid: 'bench-recruiter', name: 'Bench Recruiter', roles: ['recruiter'] },
        { wecom_userid: 'bench-alice', name: 'Alice Wang' },
      ])
      .returningAll()
      .execute();
    const start = new Date('2030-01-08T06:00:00.000Z');
    const { interviewId } = await createInterview({ db, clock }, { kind: 'member', person: recruiter!, roles: rolesOf(recruiter!, new Set()) }, {
      candidate: { name: 'Wang Xiaoming' },
      position: 'Backend engineer',
      startsAt: start,
      durationMinutes: 60,
      interviewerIds: [alice!.id],
    });
    await db.updateTable('rooms').set({ started_at: start, language: 'python' }).where('interview_id', '=', interviewId).execute();
    const session = simulateSession({
      start,
      edits: EDITS,
      durationMs: DURATION_MS,
      candidate: { kind: 'candidate', personId: null, name: 'Wang Xiaoming' },
      interviewer: { kind: 'member', personId: alice!.id, name: 'Alice Wang' },
      pastes: 4,
    });
    const candidate = { author_kind: 'candidate' as const, person_id: null, author_name: 'Wang Xiaoming' };
    const minute = (m: number) => new Date(start.getTime() + m * 60_000);
    await db
      .insertInto('room_runs')
      .values(Array.from({ length: 12 }, (_, i) => ({ interview_id: interviewId, language: 'python', code: session[Math.floor(((i + 1) * session.length) / 13)]!.text, output: `[0, 1]\n3\n`, exit_status: 'ok' as const, duration_ms: 180, ...candidate, created_at: minute(4 + i * 5) })))
      .execute();
    await db
      .insertInto('room_signals')
      .values([
        ...session.filter((u) => u.paste).map((u) => ({ interview_id: interviewId, kind: 'paste' as const, chars: u.paste!, ...candidate, created_at: u.at })),
        ...[12, 31, 47].map((m) => ({ interview_id: interviewId, kind: 'focus_lost' as const, duration_ms: 14_000, ...candidate, created_at: minute(m) })),
      ])
      .execute();

    const person = await createSession(db, recruiter!.id, { clock: { now: () => new Date() }, ttlHours: 24 });
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(app.signCookie(person.sessionId))}`;
    const open = async () => {
      const response = await app.inject({ method: 'GET', url: `/api/interviews/${interviewId}/playback`, headers: { cookie } });
      if (response.statusCode !== 200) throw new Error(`playback answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
      return response.body;
    };
    const document = padDocument(interviewId);
    const dropCache = () => db.deleteFrom('collab_playbacks').where('document', '=', document).execute();
    const rows: PlaybackBenchRow[] = [];
    const row = (what: string, samples: number[], note = '') =>
      rows.push({ what, 'median ms': ms(median(samples)), 'min ms': ms(Math.min(...samples)), 'max ms': ms(Math.max(...samples)), note });

    // Continued: the cache covers all but the last 100 updates.
    const head = session.slice(0, session.length - CONTINUED);
    const tail = session.slice(session.length - CONTINUED);
    await insertSession(db, interviewId, head);
    await open();
    const saved = await db.selectFrom('collab_playbacks').selectAll().where('document', '=', document).executeTakeFirstOrThrow();
    const continued: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await db.deleteFrom('collab_updates').where('document', '=', document).where('id', '>', saved.through_update_id).execute();
      await dropCache();
      await db.insertInto('collab_playbacks').values({ ...saved, timeline: JSON.stringify(saved.timeline) }).execute();
      await insertSession(db, interviewId, tail);
      continued.push((await time(open))[0]);
    }

    const cold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await dropCache();
      cold.push((await time(open))[0]);
    }
    const cached: number[] = [];
    let body = '';
    for (let i = 0; i < RUNS; i++) {
      const [elapsed, answer] = await time(open);
      cached.push(elapsed);
      body = answer;
    }
    const size = Buffer.byteLength(body);
    const gzipped = gzipSync(body).length;
    const updates = await db.selectFrom('collab_updates').select((eb) => eb.fn.countAll<string>().as('n')).where('document', '=', document).executeTakeFirstOrThrow();
    row(`cold open: build from ${Number(updates.n).toLocaleString('en')} updates, store, answer`, cold);
    row('cached open (every open after the first)', cached, `answer ${kb(size)} (${kb(gzipped)} gzipped)`);
    row(`continued open: ${CONTINUED} updates newer than the cache`, continued);

    // The browser's side, in Node.
    const parse: number[] = [];
    let data: PlaybackData | undefined;
    for (let i = 0; i < RUNS; i++) {
      const [elapsed, parsed] = await time(() => JSON.parse(body) as PlaybackData);
      parse.push(elapsed);
      data = parsed;
    }
    const build: number[] = [];
    let model: PlaybackModel | undefined;
    for (let i = 0; i < RUNS; i++) {
      const [elapsed, built] = await time(() => new PlaybackModel(data!));
      build.push(elapsed);
      model = built;
    }
    const rnd = random(3);
    const seeks: number[] = [];
    for (let i = 0; i < SEEKS; i++) {
      const at = model!.start + rnd() * (model!.end - model!.start);
      seeks.push((await time(() => model!.stateAt(model!.editsAt(at))))[0]);
    }
    const toEnd: number[] = [];
    for (let i = 0; i < RUNS; i++) toEnd.push((await time(() => model!.stateAt(model!.editsAt(model!.end))))[0]);
    if (model!.stateAt(Infinity).text !== session[session.length - 1]!.text) throw new Error('the end of playback is not the final text');
    row('browser side: parse the answer (JSON.parse)', parse);
    row('browser side: build the model', build);
    row(`browser side: seek to a random moment (${SEEKS.toLocaleString('en')} seeks)`, seeks, `p99 ${ms(percentile(seeks, 99))} ms`);
    row('browser side: seek to the end (final text)', toEnd);

    // The keyframe interval: answer size against the worst seek (all edits after a keyframe), in-process.
    const keyframeRows: { 'keyframe every': number; 'edits + keyframes JSON': string; 'worst seek ms': number }[] = [];
    for (const every of [100, 250, 500, 1000, 2000]) {
      const builder = new EditTrackBuilder(undefined, { keyframeEvery: every });
      session.forEach((u, i) => builder.add({ id: String(i + 1), update: u.update, author_kind: u.author.kind, person_id: u.author.personId, author_name: u.author.name, created_at: u.at }));
      const track = builder.finish();
      const trial = new PlaybackModel({ ...data!, edits: track.edits, keyframes: track.keyframes, keyframeEvery: every });
      // Just before the last keyframe: every - 1 edits after the one before it.
      const before = track.keyframes[track.keyframes.length - 1]!.at - 1;
      const worst: number[] = [];
      for (let i = 0; i < RUNS; i++) worst.push((await time(() => trial.stateAt(before)))[0]);
      keyframeRows.push({
        'keyframe every': every,
        'edits + keyframes JSON': kb(JSON.stringify(track.edits).length + JSON.stringify(track.keyframes).length),
        'worst seek ms': ms(median(worst)),
      });
    }

    if (options.print ?? true) {
      console.log(
        `Playback of a ${DURATION_MS / 60_000}-minute session: ${session.length.toLocaleString('en')} updates (${EDITS.toLocaleString('en')} edits + seed + concurrent), ` +
          `final text ${session[session.length - 1]!.text.length.toLocaleString('en')} characters, 12 runs, 7 signals; median of ${RUNS}`,
      );
      console.table(rows);
      console.log(`Keyframe interval (the server uses ${KEYFRAME_EVERY}):`);
      console.table(keyframeRows);
    }
    return rows;
  } finally {
    await app.close();
    await database.drop();
  }
}

if (import.meta.main) {
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
  await benchPlayback();
}

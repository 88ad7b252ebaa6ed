/**
 * Server-side runs against the real code runner (apps/runner, bubblewrap) started in this process: what an answer
 * becomes (outcomeOf), and the room's routes — who may run, what is recorded, what is refused before it costs a run.
 */
import { startRunner, type ExecuteResponse, type RunnerHandle, type StageResult } from '@pairview/runner';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberPrincipal } from '../auth/principal.ts';
import { createInterview } from '../interviews/service.ts';
import { buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { OUTPUT_CAP_BYTES, createCodeRunner, outcomeOf, type CodeRunner, type RunJob } from './service.ts';

const clock = { now: () => new Date() };
let handle: RunnerHandle;
let database: MigratedTestDatabase;
let app: FastifyInstance;
let cookie: string;
let recruiter: MemberPrincipal;
let interviewerId: string;
/** Every job that reached the runner, to show which requests never did. */
const jobs: RunJob[] = [];

beforeAll(async () => {
  handle = await startRunner({ port: 0 });
  if (!handle.report.ok) throw new Error(`the code runner does not work here: ${handle.report.problems.join('; ')} (CI installs bubblewrap)`);
  const real = createCodeRunner({ baseUrl: handle.url });
  const counting: CodeRunner = { languages: () => real.languages(), run: (job) => (jobs.push(job), real.run(job)) };
  database = await createMigratedDatabase('pv_server_runs');
  app = await buildTestApp(database, { clock, runner: counting });
  const recruiterRow = await createPerson(database.db, { name: 'Recruiter', roles: ['recruiter'] });
  recruiter = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };
  interviewerId = (await createPerson(database.db, { name: '陈杰' })).id;
  cookie = await sessionCookie(app, database.db, interviewerId, clock);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await handle?.close();
});

async function room(options: { start?: boolean } = {}) {
  const { interviewId, candidateLinkToken } = await createInterview({ db: database.db, clock }, recruiter, {
    candidate: { name: '王芳' },
    position: 'Backend engineer',
    startsAt: new Date(Date.now() + 3600_000),
    durationMinutes: 60,
    interviewerIds: [interviewerId],
  });
  if (options.start !== false) {
    const started = await app.inject({ method: 'POST', url: `/api/interviews/${interviewId}/room/start`, headers: { cookie } });
    expect(started.statusCode, started.body).toBe(200);
  }
  return { id: interviewId, token: candidateLinkToken };
}

const JAVA = `import java.util.Scanner;
public class Main {
  public static void main(String[] args) {
    String name = new Scanner(System.in).nextLine();
    System.out.println("你好, " + name);
  }
}
`;

describe('server-side runs in the room', () => {
  it('runs Java for an interviewer and records it like a browser run; the room view lists the server languages', async () => {
    const { id } = await room();
    const view = await app.inject({ method: 'GET', url: `/api/interviews/${id}/room`, headers: { cookie } });
    expect(view.json().serverLanguages).toEqual(expect.arrayContaining(['java', 'cpp', 'go', 'rust', 'python', 'javascript', 'typescript']));
    expect(view.json().serverLanguages).not.toContain('sql');

    const response = await app.inject({ method: 'POST', url: `/api/interviews/${id}/room/execute`, headers: { cookie }, payload: { language: 'java', code: JAVA, stdin: '面试官' } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ language: 'java', status: 'ok', output: '你好, 面试官\n', authorName: '陈杰' });
    const stored = await database.db.selectFrom('room_runs').selectAll().where('interview_id', '=', id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ language: 'java', code: JAVA, stdin: '面试官', exit_status: 'ok', author_kind: 'member' });
  });

  it('the candidate runs while running is on; switched off, or before the start, the runner is never asked', async () => {
    const { id, token } = await room();
    const ok = await app.inject({ method: 'POST', url: `/api/room-links/${token}/execute`, payload: { language: 'cpp', code: '#include <cstdio>\nint main(){ puts("candidate ran"); }\n' } });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'ok', output: 'candidate ran\n', authorKind: 'candidate', authorName: '王芳' });

    const off = await app.inject({ method: 'PATCH', url: `/api/interviews/${id}/room`, headers: { cookie }, payload: { candidateCanRun: false } });
    expect(off.statusCode, off.body).toBe(200);
    const before = jobs.length;
    const refused = await app.inject({ method: 'POST', url: `/api/room-links/${token}/execute`, payload: { language: 'cpp', code: 'int main(){}' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('running_disabled');

    const waiting = await room({ start: false });
    const early = await app.inject({ method: 'POST', url: `/api/room-links/${waiting.token}/execute`, payload: { language: 'go', code: 'package main\nfunc main(){}\n' } });
    expect(early.statusCode).toBe(409);
    expect(jobs.length).toBe(before);
  });

  it('a compile error, an infinite loop and a language the runner does not run each get a clear answer', async () => {
    const { id } = await room();
    const run = (language: string, code: string) => app.inject({ method: 'POST', url: `/api/interviews/${id}/room/execute`, headers: { cookie }, payload: { language, code } });

    const broken = await run('rust', 'fn main() { let x: i32 = "text"; }\n');
    expect(broken.statusCode, broken.body).toBe(201);
    expect(broken.json().status).toBe('error');
    expect(broken.json().output).toMatch(/mismatched types|expected `i32`/);

    const loop = await run('go', 'package main\nfunc main() { for {} }\n');
    expect(loop.json().status).toBe('timeout');
    expect(loop.json().output).toContain('Time limit exceeded');

    const sql = await run('sql', 'select 1;');
    expect(sql.statusCode).toBe(503);
    expect(sql.json()).toMatchObject({ code: 'language_not_runnable' });
    expect(sql.json().messageZh).toContain('sql');
  });

  it('a room with runs waiting is told to wait; other rooms are not', async () => {
    const [busy, other] = [await room(), await room()];
    const slow = 'import time\ntime.sleep(1.5)\nprint("done")\n';
    const run = (id: string) => app.inject({ method: 'POST', url: `/api/interviews/${id}/room/execute`, headers: { cookie }, payload: { language: 'python', code: slow } });
    // One running and three waiting (the default) fill the room's line; the fifth is refused at once.
    const first = [run(busy.id), run(busy.id), run(busy.id), run(busy.id)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fifth = await run(busy.id);
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().code).toBe('runs_waiting');
    const elsewhere = await run(other.id);
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    expect((await Promise.all(first)).map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
  }, 60_000);

  it('a runner that is not there is a 503 that names no secret and changes nothing', async () => {
    const gone = await buildTestApp(database, { clock, runner: createCodeRunner({ baseUrl: 'http://user:s3cret@127.0.0.1:9/' }) });
    try {
      const { id } = await room();
      const memberCookie = await sessionCookie(gone, database.db, interviewerId, clock);
      const response = await gone.inject({ method: 'POST', url: `/api/interviews/${id}/room/execute`, headers: { cookie: memberCookie }, payload: { language: 'java', code: JAVA } });
      expect(response.statusCode).toBe(503);
      expect(response.json().code).toBe('runner_unavailable');
      expect(response.body).not.toContain('s3cret');
      expect(await database.db.selectFrom('room_runs').select('id').where('interview_id', '=', id).execute()).toHaveLength(0);
    } finally {
      await gone.close();
    }
  });
});

describe('outcomeOf: a Piston answer as a room run', () => {
  const stage = (over: Partial<StageResult>): StageResult => ({
    stdout: '', stderr: '', output: '', code: 0, signal: null, message: null, status: null, cpu_time: 1, wall_time: 10, memory: null, ...over,
  });
  const answer = (run: Partial<StageResult>, compile?: Partial<StageResult>): ExecuteResponse => ({
    language: 'c++', version: '12.2.0', run: stage(run), ...(compile ? { compile: stage(compile) } : {}),
  });

  it('maps each ending to a status and says why it stopped', () => {
    expect(outcomeOf(answer({ stdout: 'hi\n', output: 'hi\n' }, {}), 99)).toMatchObject({ status: 'ok', output: 'hi\n', stdout: 'hi\n', failedStage: null, durationMs: 20 });
    const compile = { output: 'main.cpp:1: error: x', code: 1, status: 'RE' as const, message: 'Exited with error status 1' };
    expect(outcomeOf(answer(compile, compile), 5)).toMatchObject({ status: 'error', failedStage: 'compile', stdout: '', output: 'main.cpp:1: error: x\n[Exited with error status 1]' });
    expect(outcomeOf(answer({ status: 'TO', signal: 'SIGKILL', code: null, message: 'Time limit exceeded' }), 5)).toMatchObject({ status: 'timeout', output: '[Time limit exceeded]' });
    expect(outcomeOf(answer({ status: 'OL', signal: 'SIGKILL', code: null, output: 'yyyy', message: 'stdout length exceeded' }), 5)).toMatchObject({ status: 'output_limit', truncated: true });
    expect(outcomeOf(answer({ status: 'SG', signal: 'SIGKILL', code: null, message: 'Memory limit exceeded' }), 5)).toMatchObject({ status: 'error', output: '[Memory limit exceeded]' });
  });

  it(`cuts what it shows at ${OUTPUT_CAP_BYTES / 1024} KiB, at a character boundary`, () => {
    const long = '界'.repeat(OUTPUT_CAP_BYTES); // 3 bytes each
    const outcome = outcomeOf(answer({ stdout: long, output: long }), 5);
    expect(outcome.truncated).toBe(true);
    expect(Buffer.byteLength(outcome.output)).toBeLessThanOrEqual(OUTPUT_CAP_BYTES);
    expect(outcome.output.endsWith('界')).toBe(true);
  });
});

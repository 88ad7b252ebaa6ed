import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  buildTestApp,
  createMigratedDatabase,
  createPerson,
  sessionCookie,
  testConfig,
  type MigratedTestDatabase,
} from '../../test/helpers.ts';
import { LANGUAGE_IDS } from '../rooms/languages.ts';
import { startWeCom } from '../wecom/index.ts';
import { DEMO_QUESTIONS, seedDemoQuestions } from './demo.ts';
import { candidateQuestion, roomQuestion } from './room.ts';
import { questionInputSchema } from './routes.ts';
import { testCasesSchema } from './test-cases.ts';
import { sameOutput } from '../rooms/tests.ts';

const run = promisify(execFile);

/** Runs a program with `stdin` as its whole input (then end of file). */
async function runWithStdin(file: string, args: string[], stdin: string): Promise<{ stdout: string }> {
  const running = run(file, args, { timeout: 20_000 });
  running.child.stdin!.end(stdin);
  return running;
}

describe('the question bank over HTTP', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  let recruiter: { id: string; cookie: string };
  let admin: { id: string; cookie: string };
  let alice: { id: string; cookie: string };

  async function member(name: string, options: Parameters<typeof createPerson>[1] = {}) {
    const person = await createPerson(database.db, { name, ...options });
    return { id: person.id, cookie: await sessionCookie(app, database.db, person.id, clock) };
  }

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_questions');
    app = await buildTestApp(database, { clock });
    recruiter = await member('Rita Recruiter', { roles: ['recruiter'] });
    admin = await member('Ada Admin', { wecomUserId: 'admin' }); // PAIRVIEW_ADMINS=admin in testConfig
    alice = await member('Alice');
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });
  beforeEach(() => clock.set('2030-01-07T02:00:00.000Z'));

  const GOOD = {
    title: '  Two Sum  ',
    statement: '# Two sum\n\nFind two numbers.',
    difficulty: 'easy',
    tags: [' array ', 'hash-map', 'Array', '', 'hash-map'],
    starterCode: { python: 'def two_sum(nums, target):\n    pass\n', javascript: 'function twoSum() {}\n', go: '   ' },
    guidance: 'Strong: one pass with a hash map.',
  };

  function create(body: Record<string, unknown>, cookie = recruiter.cookie) {
    return app.inject({ method: 'POST', url: '/api/questions', headers: { cookie }, payload: body });
  }

  async function count() {
    const row = await database.db.selectFrom('questions').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('a recruiter adds a question: trimmed title, tags deduplicated, empty starter code dropped, languages in the room\'s order', async () => {
    const response = await create(GOOD);
    expect(response.statusCode).toBe(201);
    const question = response.json();
    expect(question).toMatchObject({
      title: 'Two Sum',
      difficulty: 'easy',
      tags: ['array', 'hash-map'],
      starterCode: { javascript: 'function twoSum() {}\n', python: 'def two_sum(nums, target):\n    pass\n' },
      languages: ['javascript', 'python'],
      guidance: 'Strong: one pass with a hash map.',
      createdBy: { id: recruiter.id, name: 'Rita Recruiter' },
      archivedAt: null,
      interviews: 0,
      createdAt: '2030-01-07T02:00:00.000Z',
      updatedAt: '2030-01-07T02:00:00.000Z',
    });
    expect(Object.keys(question.starterCode)).toEqual(['javascript', 'python']);

    // Any member reads it, guidance included (members are the company's staff); only recruiters and admins write.
    const read = await app.inject({ method: 'GET', url: `/api/questions/${question.id}`, headers: { cookie: alice.cookie } });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(question);
    expect((await create({ title: 'By an interviewer' }, alice.cookie)).statusCode).toBe(403);
    const byAdmin = await create({ title: 'By the admin' }, admin.cookie);
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json()).toMatchObject({ difficulty: 'medium', statement: '', tags: [], starterCode: {}, guidance: '' });
  });

  it('refuses bad input field by field, in English and Chinese, and writes nothing', async () => {
    const before = await count();
    const refuse = async (body: Record<string, unknown>) => {
      const response = await create({ ...GOOD, ...body });
      expect(response.statusCode, response.body).toBe(400);
      return response.json() as { message: string; messageZh: string; fields: { path: string; code: string; message: string; messageZh: string }[] };
    };

    const empty = await refuse({ title: '   ' });
    expect(empty.message).toBe('Title: required: it cannot be empty');
    expect(empty.messageZh).toBe('标题：请填写此项，不能为空。');
    expect((await refuse({ title: 'x'.repeat(201) })).fields).toEqual([expect.objectContaining({ path: 'title', code: 'too_long' })]);
    expect((await refuse({ statement: 'x'.repeat(20_001) })).message).toBe('Statement: must be at most 20000 characters');
    expect((await refuse({ guidance: 'x'.repeat(20_001) })).messageZh).toBe('面试官指引：最多 20000 个字符。');
    expect((await refuse({ difficulty: 'trivial' })).message).toBe('Difficulty: must be one of "easy", "medium", "hard"');

    const manyTags = await refuse({ tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) });
    expect(manyTags.message).toBe('Tags: at most 10');
    expect(manyTags.messageZh).toBe('标签：最多 10 项。');
    expect((await refuse({ tags: ['x'.repeat(31)] })).fields).toEqual([expect.objectContaining({ path: 'tags.0', code: 'too_long' })]);

    const language = await refuse({ starterCode: { python: 'pass', ruby: 'puts 1', 'c#': '' } });
    expect(language.fields).toEqual([
      expect.objectContaining({ path: 'starterCode', code: 'unknown_language' }),
    ]);
    expect(language.message).toBe(`Starter code: unknown language "ruby", "c#": use one of ${LANGUAGE_IDS.join(', ')}`);
    expect(language.messageZh).toContain('初始代码：无法识别的语言 "ruby"、"c#"');
    expect((await refuse({ starterCode: { java: 'x'.repeat(20_001) } })).fields).toEqual([
      expect.objectContaining({ path: 'starterCode.java', code: 'too_long' }),
    ]);
    expect((await refuse({ starterCode: ['python'] })).fields).toEqual([expect.objectContaining({ path: 'starterCode', code: 'invalid_type' })]);

    expect(await count()).toBe(before);
  });

  it('replaces a question with the updatedAt it read; a stale one is refused and changes nothing', async () => {
    const question = (await create(GOOD)).json();
    clock.advance(60_000);
    const put = (body: Record<string, unknown>) =>
      app.inject({ method: 'PUT', url: `/api/questions/${question.id}`, headers: { cookie: recruiter.cookie }, payload: body });

    const saved = await put({ ...GOOD, title: 'Two Sum II', starterCode: { rust: 'fn main() {}' }, updatedAt: question.updatedAt });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ title: 'Two Sum II', starterCode: { rust: 'fn main() {}' }, languages: ['rust'], updatedAt: '2030-01-07T02:01:00.000Z' });

    const stale = await put({ ...GOOD, title: 'Overwritten', updatedAt: question.updatedAt });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'question_changed', messageZh: expect.stringContaining('已被其他人修改') });
    const missing = await put({ ...GOOD });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().fields).toEqual([expect.objectContaining({ path: 'updatedAt', code: 'required' })]);
    const unknown = await app.inject({
      method: 'PUT',
      url: '/api/questions/00000000-0000-4000-8000-000000000000',
      headers: { cookie: recruiter.cookie },
      payload: { ...GOOD, updatedAt: question.updatedAt },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'question_not_found', messageZh: '找不到 ID 为 00000000-0000-4000-8000-000000000000 的题目。' });

    const now = await app.inject({ method: 'GET', url: `/api/questions/${question.id}`, headers: { cookie: recruiter.cookie } });
    expect(now.json()).toMatchObject({ title: 'Two Sum II' });
  });

  it('archives and restores: archived questions leave the list unless asked for; twice is harmless', async () => {
    const question = (await create({ ...GOOD, title: 'Archive me' })).json();
    const listed = async (query = '') =>
      (await app.inject({ method: 'GET', url: `/api/questions${query}`, headers: { cookie: alice.cookie } })).json().questions.map((q: { title: string }) => q.title);
    expect(await listed()).toContain('Archive me');

    clock.advance(1000);
    const archive = () => app.inject({ method: 'POST', url: `/api/questions/${question.id}/archive`, headers: { cookie: admin.cookie } });
    const archived = await archive();
    expect(archived.statusCode).toBe(200);
    expect(archived.json().archivedAt).toBe('2030-01-07T02:00:01.000Z');
    clock.advance(1000);
    expect((await archive()).json().archivedAt).toBe('2030-01-07T02:00:01.000Z');
    expect(await listed()).not.toContain('Archive me');
    expect(await listed('?archived=true')).toContain('Archive me');
    expect((await app.inject({ method: 'POST', url: `/api/questions/${question.id}/archive`, headers: { cookie: alice.cookie } })).statusCode).toBe(403);

    const restored = await app.inject({ method: 'POST', url: `/api/questions/${question.id}/restore`, headers: { cookie: recruiter.cookie } });
    expect(restored.json()).toMatchObject({ archivedAt: null });
    expect(await listed()).toContain('Archive me');

    // The list carries no statement, code or guidance: only what the bank page and the picker show.
    const entry = (await app.inject({ method: 'GET', url: '/api/questions', headers: { cookie: alice.cookie } })).json().questions.find((q: { id: string }) => q.id === question.id);
    expect(Object.keys(entry).sort()).toEqual(['archivedAt', 'difficulty', 'id', 'interviews', 'languages', 'tags', 'title', 'updatedAt']);
  });

  describe('an interview\'s question', () => {
    async function schedule(overrides: Record<string, unknown> = {}) {
      return app.inject({
        method: 'POST',
        url: '/api/interviews',
        headers: { cookie: recruiter.cookie },
        payload: {
          candidate: { name: '王小明' },
          position: 'Backend engineer',
          startsAt: '2030-01-08T06:00:00.000Z',
          durationMinutes: 60,
          interviewerIds: [alice.id],
          ...overrides,
        },
      });
    }
    const patch = (id: string, body: Record<string, unknown>) =>
      app.inject({ method: 'PATCH', url: `/api/interviews/${id}`, headers: { cookie: recruiter.cookie }, payload: body });

    it('is chosen when scheduling and shows on the detail and in the list as a reference (no statement, no guidance)', async () => {
      const question = (await create({ ...GOOD, title: 'Scheduled question', difficulty: 'hard' })).json();
      const created = await schedule({ questionId: question.id });
      expect(created.statusCode, created.body).toBe(201);
      const interview = created.json().interview;
      expect(interview.question).toEqual({ id: question.id, title: 'Scheduled question', difficulty: 'hard' });
      expect(interview.room).toMatchObject({ startedAt: null });

      const list = await app.inject({ method: 'GET', url: '/api/interviews', headers: { cookie: alice.cookie } });
      expect(list.json().interviews.find((i: { id: string }) => i.id === interview.id).question).toEqual(interview.question);
      expect(list.body).not.toContain(GOOD.guidance);

      const without = (await schedule()).json().interview;
      expect(without.question).toBeNull();
      expect((await app.inject({ method: 'GET', url: `/api/questions/${question.id}`, headers: { cookie: alice.cookie } })).json().interviews).toBe(1);
    });

    it('refuses an unknown or archived question with a clear message, and schedules nothing', async () => {
      const before = await database.db.selectFrom('interviews').select('id').execute();
      const unknown = await schedule({ questionId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json()).toMatchObject({
        code: 'question_unknown',
        message: 'questionId: there is no question with id 00000000-0000-4000-8000-000000000000 in the bank',
        messageZh: '题目：题库中没有 ID 为 00000000-0000-4000-8000-000000000000 的题目。',
        fields: [expect.objectContaining({ path: 'questionId', code: 'question_unknown' })],
      });

      const question = (await create({ ...GOOD, title: 'Archived before scheduling' })).json();
      await app.inject({ method: 'POST', url: `/api/questions/${question.id}/archive`, headers: { cookie: recruiter.cookie } });
      const archived = await schedule({ questionId: question.id });
      expect(archived.statusCode).toBe(400);
      expect(archived.json()).toMatchObject({ code: 'question_archived', messageZh: expect.stringContaining('这道题已归档') });
      expect((await schedule({ questionId: 'two-sum' })).json().fields).toEqual([expect.objectContaining({ path: 'questionId', code: 'invalid_id' })]);
      expect(await database.db.selectFrom('interviews').select('id').execute()).toEqual(before);
    });

    it('changes until the room starts; then it is refused (409) while other edits still go through', async () => {
      const first = (await create({ ...GOOD, title: 'First question' })).json();
      const second = (await create({ ...GOOD, title: 'Second question', difficulty: 'medium' })).json();
      const interview = (await schedule({ questionId: first.id })).json().interview;

      const changed = await patch(interview.id, { version: 1, questionId: second.id });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json()).toMatchObject({ version: 2, question: { id: second.id, title: 'Second question', difficulty: 'medium' } });
      const cleared = await patch(interview.id, { version: 2, questionId: null });
      expect(cleared.json()).toMatchObject({ version: 3, question: null });
      await patch(interview.id, { version: 3, questionId: first.id });

      // Archived after it was chosen: the interview keeps it, and other edits do not trip over it.
      await app.inject({ method: 'POST', url: `/api/questions/${first.id}/archive`, headers: { cookie: recruiter.cookie } });
      const kept = await patch(interview.id, { version: 4, position: 'Staff engineer', questionId: first.id });
      expect(kept.statusCode, kept.body).toBe(200);
      expect(kept.json()).toMatchObject({ position: 'Staff engineer', question: { id: first.id } });
      const toSecond = await patch(interview.id, { version: 5, questionId: second.id });
      expect(toSecond.statusCode).toBe(200);
      const backToArchived = await patch(interview.id, { version: 6, questionId: first.id });
      expect(backToArchived.statusCode).toBe(400);
      expect(backToArchived.json().code).toBe('question_archived');

      // An interviewer pressed Start (the room's code sets started_at): the question is fixed.
      await database.db.updateTable('rooms').set({ started_at: clock.now(), started_by: alice.id }).where('interview_id', '=', interview.id).execute();
      const locked = await patch(interview.id, { version: 6, questionId: null });
      expect(locked.statusCode).toBe(409);
      expect(locked.json()).toMatchObject({
        code: 'question_locked',
        message: 'The interview room has started: its question can no longer be changed',
        messageZh: '面试间已经开始，不能再更换题目。',
      });
      const detail = await app.inject({ method: 'GET', url: `/api/interviews/${interview.id}`, headers: { cookie: recruiter.cookie } });
      expect(detail.json()).toMatchObject({ version: 6, question: { id: second.id }, room: { startedAt: '2030-01-07T02:00:00.000Z' } });
      const sameQuestion = await patch(interview.id, { version: 6, durationMinutes: 90, questionId: second.id });
      expect(sameQuestion.statusCode, sameQuestion.body).toBe(200);
    });

    it('is refused once the interview is no longer scheduled', async () => {
      const question = (await create({ ...GOOD, title: 'After cancel' })).json();
      const interview = (await schedule()).json().interview;
      await app.inject({ method: 'POST', url: `/api/interviews/${interview.id}/cancel`, headers: { cookie: recruiter.cookie }, payload: { version: 1 } });
      const refused = await patch(interview.id, { version: 2, questionId: question.id });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'interview_not_scheduled', messageZh: '这场面试已取消，不能再修改。' });
      const row = await database.db.selectFrom('interviews').select('question_id').where('id', '=', interview.id).executeTakeFirstOrThrow();
      expect(row.question_id).toBeNull();
    });

    it('the room gets it in full, archived or not; the candidate\'s part has no guidance, difficulty or tags', async () => {
      const question = (await create({ ...GOOD, title: 'For the room', guidance: 'CANARY-guidance-7f3a' })).json();
      const interview = (await schedule({ questionId: question.id })).json().interview;
      await app.inject({ method: 'POST', url: `/api/questions/${question.id}/archive`, headers: { cookie: recruiter.cookie } });

      const full = await roomQuestion(database.db, interview.id);
      expect(full).toEqual({
        id: question.id,
        title: 'For the room',
        statement: GOOD.statement,
        difficulty: 'easy',
        tags: ['array', 'hash-map'],
        starterCode: { javascript: 'function twoSum() {}\n', python: 'def two_sum(nums, target):\n    pass\n' },
        guidance: 'CANARY-guidance-7f3a',
        testCases: [],
      });
      const candidate = candidateQuestion(full!);
      expect(candidate).toEqual({ title: 'For the room', statement: GOOD.statement, starterCode: full!.starterCode, examples: [] });
      expect(JSON.stringify(candidate)).not.toContain('CANARY');

      expect(await roomQuestion(database.db, (await schedule()).json().interview.id)).toBeNull();
      expect(await roomQuestion(database.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
    });
  });
});

describe('the demo question set', () => {
  let database: MigratedTestDatabase;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  let workDir: string;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_questions_demo');
    workDir = mkdtempSync(join(tmpdir(), 'pairview-demo-questions-'));
  });
  afterAll(async () => {
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('obeys the bank\'s own rules, in both languages, with starter code in the six main languages (SQL: SQL)', () => {
    expect(DEMO_QUESTIONS.length).toBeGreaterThanOrEqual(4);
    expect(new Set(DEMO_QUESTIONS.map((q) => q.title)).size).toBe(DEMO_QUESTIONS.length);
    for (const question of DEMO_QUESTIONS) {
      const parsed = questionInputSchema.safeParse(question);
      expect(parsed.success, `${question.title}: ${parsed.error?.message}`).toBe(true);
      expect(parsed.data?.tags).toEqual(question.tags);
      for (const text of [question.title, question.statement, question.guidance]) {
        expect(text, question.title).toMatch(/[\u4e00-\u9fff]{2,}/);
        expect(text, question.title).toMatch(/[A-Za-z]{3,} [A-Za-z]{3,}/);
      }
      // Chinese first, a rule, then English.
      expect(question.statement.split('\n---\n'), question.title).toHaveLength(2);
      expect(question.guidance.split('\n---\n'), question.title).toHaveLength(2);
      const languages = Object.keys(question.starterCode);
      if (question.tags.includes('sql')) expect(languages).toEqual(['sql']);
      else expect(languages).toEqual(expect.arrayContaining(['javascript', 'typescript', 'python', 'java', 'cpp', 'go']));
    }
  });

  it('JavaScript and TypeScript starter code runs as given and prints the examples', async () => {
    for (const [i, question] of DEMO_QUESTIONS.entries()) {
      // CommonJS, as the code runner's Node runs main.js / main.ts (starter code that reads a test case's stdin
      // uses require('fs') there).
      for (const [language, extension] of [['javascript', 'cjs'], ['typescript', 'cts']] as const) {
        const code = question.starterCode[language];
        if (!code) continue;
        const file = join(workDir, `q${i}.${extension}`);
        writeFileSync(file, code);
        // Node strips the TypeScript types, as the room's runner (sucrase) does: no type-check either way.
        const { stdout } = await runWithStdin(process.execPath, [file], '');
        expect(stdout.trim(), `${question.title} (${language})`).not.toBe('');
      }
    }
  });

  it('questions with test cases: visible examples and hidden ones; the starter code fails them, a solution passes them all', async () => {
    const withCases = DEMO_QUESTIONS.filter((q) => q.testCases?.length);
    expect(withCases.map((q) => q.title)).toEqual(['两数之和 · Two Sum', '合并区间 · Merge Intervals']);
    for (const question of withCases) {
      const cases = question.testCases!;
      expect(cases.some((c) => c.hidden) && cases.some((c) => !c.hidden), question.title).toBe(true);
      expect(testCasesSchema.safeParse(cases).success, question.title).toBe(true);
      for (const c of cases) expect(c.name, question.title).toMatch(/[\u4e00-\u9fff]{2,}.* · [A-Za-z]/);
      // The visible cases are the examples the starter code runs when stdin is empty.
      for (const c of cases.filter((c) => !c.hidden)) expect(question.starterCode.python, c.name).toContain(JSON.stringify(c.input));
    }

    // A reference solution in the starter code's place, in Python and JavaScript (the code runner's tests run the
    // compiled languages): every case passes; the starter code as given fails at least one.
    const solutions: Record<string, Record<'python' | 'javascript', [string, string]>> = {
      '两数之和 · Two Sum': {
        python: ['    # TODO\n    return [-1, -1]', '    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n    return [-1, -1]'],
        javascript: ['  // TODO\n  return [-1, -1];', '  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n  return [-1, -1];'],
      },
      '合并区间 · Merge Intervals': {
        python: ['    # TODO\n    return intervals', '    merged = []\n    for start, end in sorted(intervals):\n        if merged and start <= merged[-1][1]:\n            merged[-1][1] = max(merged[-1][1], end)\n        else:\n            merged.append([start, end])\n    return merged'],
        javascript: ['  // TODO\n  return intervals;', '  const merged = [];\n  for (const [s, e] of [...intervals].sort((a, b) => a[0] - b[0])) {\n    const last = merged[merged.length - 1];\n    if (last && s <= last[1]) last[1] = Math.max(last[1], e);\n    else merged.push([s, e]);\n  }\n  return merged;'],
      },
    };
    for (const question of withCases) {
      for (const [language, [todo, solution]] of Object.entries(solutions[question.title]!) as ['python' | 'javascript', [string, string]][]) {
        const starter = question.starterCode[language]!;
        expect(starter, `${question.title} (${language})`).toContain(todo);
        const passes = async (code: string) => {
          const file = join(workDir, `solution.${language === 'python' ? 'py' : 'cjs'}`);
          writeFileSync(file, code);
          const results: boolean[] = [];
          for (const c of question.testCases!) {
            // The runner appends a newline to stdin, as Piston does.
            const { stdout } = await runWithStdin(language === 'python' ? 'python3' : process.execPath, [file], `${c.input}\n`);
            results.push(sameOutput(stdout, c.expected));
          }
          return results;
        };
        expect(await passes(starter.replace(todo, solution)), `${question.title} (${language}, solved)`).toEqual(question.testCases!.map(() => true));
        expect(await passes(starter), `${question.title} (${language}, as given)`).toContain(false);
      }
    }
  });

  it('the SQL starter code runs on PostgreSQL and on SQLite (the browser runner\'s sql.js) with the same rows', async () => {
    const question = DEMO_QUESTIONS.find((q) => q.starterCode.sql)!;
    const code = question.starterCode.sql!;
    const expected = [
      ['Design', 'Zhao Min', 33000],
      ['Engineering', 'Li Lei', 38000],
      ['Engineering', 'Wang Fang', 42000],
      ['Engineering', 'Zhang Wei', 42000],
      ['Sales', 'Chen Jing', 30000],
      ['Sales', 'Liu Yang', 27000],
    ];

    // PostgreSQL: in a schema of its own, inside a transaction rolled back afterwards.
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      await client.query('create schema demo_sql; set local search_path = demo_sql');
      const results = await client.query({ text: code, rowMode: 'array' });
      const last = Array.isArray(results) ? results.at(-1)! : results;
      expect(last.rows).toEqual(expected);
    } finally {
      await client.query('rollback');
      client.release();
    }

    // SQLite, as the room runs it in the browser (sql.js from apps/web's dependencies, here on Node).
    const initSqlJs = createRequire(import.meta.url)('sql.js') as () => Promise<{
      Database: new () => { exec(sql: string): { columns: string[]; values: unknown[][] }[]; close(): void };
    }>;
    const SQL = await initSqlJs();
    const sqlite = new SQL.Database();
    try {
      const results = sqlite.exec(code);
      expect(results.at(-1)!.columns).toEqual(['department', 'employee', 'salary']);
      expect(results.at(-1)!.values).toEqual(expected);
    } finally {
      sqlite.close();
    }
  });

  it('seeds an empty bank once; a bank with any question (archived too) is left alone', async () => {
    expect(await seedDemoQuestions(database.db, clock)).toBe(DEMO_QUESTIONS.length);
    expect(await seedDemoQuestions(database.db, clock)).toBe(0);
    const rows = await database.db.selectFrom('questions').select(['title', 'created_by', 'starter_code']).orderBy('title').execute();
    expect(rows.map((r) => r.title).sort()).toEqual(DEMO_QUESTIONS.map((q) => q.title).sort());
    expect(rows.every((r) => r.created_by === null)).toBe(true);

    await database.db.updateTable('questions').set({ archived_at: clock.now() }).execute();
    expect(await seedDemoQuestions(database.db, clock)).toBe(0);
    await sql`delete from questions`.execute(database.db);
    // Two processes starting at once: one seeds, the other finds the bank filled.
    const both = await Promise.all([seedDemoQuestions(database.db, clock), seedDemoQuestions(database.db, clock)]);
    expect(both.sort()).toEqual([0, DEMO_QUESTIONS.length]);
  });

  it('development mode (the emulator\'s demo company) seeds the bank at start, and a restart adds nothing', async () => {
    await sql`delete from questions`.execute(database.db);
    const lines: string[] = [];
    const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) };
    for (let start = 0; start < 2; start++) {
      const wecom = await startWeCom({ config: testConfig(), db: database.db, pool: database.pool, clock, log, emulatorPort: 0 });
      await wecom.stop();
    }
    expect(lines.filter((l) => l.startsWith('question bank:'))).toEqual([`question bank: ${DEMO_QUESTIONS.length} demo questions added`]);
    const n = await database.db.selectFrom('questions').select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(DEMO_QUESTIONS.length);
  });
});

/**
 * A question's test cases over the bank's HTTP API: kept in order with their hidden flag, refused case by case in
 * English and Chinese when over a limit, and never part of what a candidate may see except the visible ones.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { candidateQuestion, type RoomQuestion } from './room.ts';
import { MAX_CASE_TEXT, MAX_CASES_TOTAL, MAX_TEST_CASES, visibleExamples } from './test-cases.ts';

describe('test cases in the question bank', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  let cookie: string;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_question_cases');
    app = await buildTestApp(database, { clock });
    const recruiter = await createPerson(database.db, { name: 'Rita', roles: ['recruiter'] });
    cookie = await sessionCookie(app, database.db, recruiter.id, clock);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const create = (body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/questions', headers: { cookie }, payload: { title: 'Sum', ...body } });
  const CASES = [
    { name: '  Example  ', input: '1 2\n', expected: '3\n', hidden: false },
    { input: '-1 1', expected: '0' },
    { name: 'Big', input: '1000000000 1000000000', expected: '2000000000', hidden: true },
  ];

  it('keeps the cases in order: names trimmed, hidden false unless said; a PUT replaces them; the list has no cases', async () => {
    const created = await create({ testCases: CASES });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().testCases).toEqual([
      { name: 'Example', input: '1 2\n', expected: '3\n', hidden: false },
      { name: '', input: '-1 1', expected: '0', hidden: false },
      { name: 'Big', input: '1000000000 1000000000', expected: '2000000000', hidden: true },
    ]);
    const id = created.json().id;
    const read = await app.inject({ method: 'GET', url: `/api/questions/${id}`, headers: { cookie } });
    expect(read.json().testCases).toEqual(created.json().testCases);

    clock.advance(1000);
    const replaced = await app.inject({
      method: 'PUT',
      url: `/api/questions/${id}`,
      headers: { cookie },
      payload: { title: 'Sum', testCases: [CASES[2]], updatedAt: created.json().updatedAt },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json().testCases).toEqual([{ name: 'Big', input: '1000000000 1000000000', expected: '2000000000', hidden: true }]);
    const withoutCases = await create({});
    expect(withoutCases.json().testCases).toEqual([]);

    const list = await app.inject({ method: 'GET', url: '/api/questions', headers: { cookie } });
    expect(list.body).not.toContain('1000000000');
  });

  it('refuses too many, too long, too large in all and a missing expected output, naming the case, in both languages', async () => {
    const before = (await database.db.selectFrom('questions').select('id').execute()).length;
    const refuse = async (testCases: unknown) => {
      const response = await create({ testCases });
      expect(response.statusCode, response.body).toBe(400);
      return response.json() as { message: string; messageZh: string; fields: { path: string; code: string }[] };
    };
    const one = { input: '1', expected: '1' };

    const many = await refuse(Array.from({ length: MAX_TEST_CASES + 1 }, () => one));
    expect(many.message).toBe('Test cases: at most 20 test cases (there are 21): remove some');
    expect(many.messageZh).toBe('测试用例：最多 20 个测试用例（当前 21 个），请删除一些。');
    expect(many.fields).toEqual([expect.objectContaining({ path: 'testCases', code: 'too_many_test_cases' })]);
    // Twenty is fine.
    expect((await create({ testCases: Array.from({ length: MAX_TEST_CASES }, () => one) })).statusCode).toBe(201);

    const long = await refuse([one, { input: 'x'.repeat(MAX_CASE_TEXT + 1), expected: '1' }]);
    expect(long.message).toBe('Test case input: case 2: at most 65,536 characters (it has 65,537)');
    expect(long.messageZh).toBe('用例输入：第 2 个用例：最多 65536 个字符（当前 65537 个）。');
    expect(long.fields).toEqual([expect.objectContaining({ path: 'testCases.1.input', code: 'too_long' })]);
    const longExpected = await refuse([{ input: '', expected: 'y'.repeat(MAX_CASE_TEXT + 1) }]);
    expect(longExpected.fields).toEqual([expect.objectContaining({ path: 'testCases.0.expected', code: 'too_long' })]);
    expect(longExpected.message).toMatch(/^Expected output: case 1: at most/);

    const noExpected = await refuse([one, one, { input: '5', expected: ' \n' }]);
    expect(noExpected.message).toBe('Expected output: case 3: write the output the program must print');
    expect(noExpected.messageZh).toBe('预期输出：第 3 个用例：请填写程序应输出的内容。');
    expect((await refuse([{ input: '5' }])).fields).toEqual([expect.objectContaining({ path: 'testCases.0.expected', code: 'required' })]);

    const longName = await refuse([{ ...one, name: 'n'.repeat(101) }]);
    expect(longName.fields).toEqual([expect.objectContaining({ path: 'testCases.0.name', code: 'too_long' })]);
    expect(longName.messageZh).toBe('用例名称：第 1 个用例：最多 100 个字符（当前 101 个）。');

    // Each case within its limit, all of them together over theirs.
    const half = 'z'.repeat(MAX_CASE_TEXT);
    const large = await refuse(Array.from({ length: MAX_CASES_TOTAL / MAX_CASE_TEXT / 2 + 1 }, () => ({ input: half, expected: half })));
    expect(large.message).toBe('Test cases: all cases together: at most 262,144 characters of input and expected output (they have 393,216): shorten or remove some');
    expect(large.messageZh).toBe('测试用例：所有用例的输入与预期输出合计最多 262144 个字符（当前 393216 个），请缩短或删除一些。');

    expect((await refuse({ input: '1' })).fields).toEqual([expect.objectContaining({ path: 'testCases', code: 'invalid_type' })]);
    expect((await refuse([{ ...one, hidden: 'yes' }])).fields).toEqual([expect.objectContaining({ path: 'testCases.0.hidden', code: 'invalid_type' })]);
    expect((await database.db.selectFrom('questions').select('id').execute()).length).toBe(before + 1); // only the twenty
  });

  it('a candidate gets the visible cases as examples, without the hidden flag; a case not marked visible stays hidden', () => {
    const question: RoomQuestion = {
      id: '00000000-0000-4000-8000-000000000000',
      title: 'T',
      statement: 'S',
      difficulty: 'easy',
      tags: [],
      starterCode: {},
      guidance: 'G',
      testCases: [
        { name: 'Shown', input: '1', expected: '1', hidden: false },
        { name: 'Secret', input: 'CANARY-in', expected: 'CANARY-out', hidden: true },
      ],
    };
    expect(candidateQuestion(question).examples).toEqual([{ name: 'Shown', input: '1', expected: '1' }]);
    expect(JSON.stringify(candidateQuestion(question))).not.toContain('CANARY');
    // A row written by hand without the flag (or with junk in it) is not shown.
    expect(visibleExamples([{ name: 'x', input: '1', expected: '1' } as never, { name: 'y', input: '2', expected: '2', hidden: 'no' } as never])).toEqual([]);
  });
});

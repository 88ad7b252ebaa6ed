/**
 * Every 4xx carries a stable code and a message in English and Chinese; input problems name their fields with a
 * human sentence in each language (never zod's wording).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../test/helpers.ts';
import { fieldProblems, validationError } from './validation.ts';

const CHINESE = /[\u4e00-\u9fff]/;

describe('zod issues as human sentences', () => {
  const schema = z.object({
    name: z.string().trim().min(1).max(5),
    email: z.email().nullish(),
    minutes: z.number().int().min(5).max(480),
    ids: z.array(z.uuid()).min(1).max(2),
    at: z.iso.datetime({ offset: true }),
    rating: z.enum(['no', 'yes']),
    notes: z.array(z.object({ skill: z.string().min(1) })),
  });
  const problems = (input: unknown) => {
    const result = schema.safeParse(input, { reportInput: true });
    if (result.success) throw new Error('expected a failure');
    return Object.fromEntries(fieldProblems(result.error, 'body').map((p) => [p.path, p]));
  };

  it('says what to fix for each field, in both languages, with a code per kind of problem', () => {
    const found = problems({ name: '', email: 'x', minutes: 3.5, ids: [], at: 'tomorrow', rating: 'maybe', notes: [{ skill: 7 }] });
    expect(Object.fromEntries(Object.entries(found).map(([path, p]) => [path, p.code]))).toEqual({
      name: 'required',
      email: 'invalid_email',
      minutes: 'invalid_type',
      ids: 'too_few',
      at: 'invalid_datetime',
      rating: 'invalid_choice',
      'notes.0.skill': 'invalid_type',
    });
    expect(found['email']!.message).toEqual({
      en: 'Enter a valid email address, such as name@example.com',
      zh: '请输入有效的邮箱地址，例如 name@example.com。',
    });
    expect(found['minutes']!.message).toEqual({ en: 'Must be a whole number', zh: '应为整数。' });
    expect(found['ids']!.message).toEqual({ en: 'Pick at least 1', zh: '请至少选择 1 项。' });
    expect(found['rating']!.message).toEqual({ en: 'Must be one of "no", "yes"', zh: '只能是以下之一："no", "yes"。' });
    for (const problem of Object.values(found)) {
      expect(problem.message.zh, problem.path).toMatch(CHINESE);
      expect(problem.message.en, problem.path).not.toMatch(/expected|received|>=|<=/);
    }
  });

  it('tells a missing field from a wrong one, and names lengths and limits', () => {
    const missing = problems({});
    expect(missing['name']).toMatchObject({ code: 'required', message: { en: 'Required', zh: '请填写此项。' } });
    expect(missing['at']!.code).toBe('required');
    const positive = z.object({ version: z.number().int().positive() }).safeParse({ version: 0 }, { reportInput: true });
    expect(fieldProblems(positive.error!, 'body')[0]).toMatchObject({ code: 'too_small', message: { en: 'Must be more than 0', zh: '必须大于 0。' } });
    const big = problems({ name: 'abcdefg', minutes: 481, ids: ['a', 'b', 'c'] });
    expect(big['name']).toMatchObject({ code: 'too_long', message: { en: 'Must be at most 5 characters', zh: '最多 5 个字符。' } });
    expect(big['minutes']).toMatchObject({ code: 'too_big', message: { en: 'Must be at most 480', zh: '不能大于 480。' } });
    expect(big['ids']).toMatchObject({ code: 'too_many', message: { en: 'At most 2', zh: '最多 2 项。' } });
  });

  it('lists every field in the overall message, with the field names people read', () => {
    const result = z.object({ startsAt: z.iso.datetime(), durationMinutes: z.number().min(5) }).safeParse({ startsAt: 'x', durationMinutes: 1 }, { reportInput: true });
    const error = validationError(result.error!, 'body');
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('Start time: enter a date and time with its time zone, such as 2030-01-08T14:00:00+08:00; Duration: must be at least 5');
    expect(error.messageZh).toBe('开始时间：请输入带时区的日期和时间，例如 2030-01-08T14:00:00+08:00；时长：不能小于 5。');
  });
});

describe('error answers over HTTP', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  let recruiter: string;
  let interviewer: { id: string; cookie: string };

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_errors');
    app = await buildTestApp(database, { clock });
    recruiter = await sessionCookie(app, database.db, (await createPerson(database.db, { roles: ['recruiter'] })).id, clock);
    const person = await createPerson(database.db, { name: 'Carol' });
    interviewer = { id: person.id, cookie: await sessionCookie(app, database.db, person.id, clock) };
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const schedule = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/interviews',
      headers: { cookie: recruiter, ...headers },
      payload: {
        candidate: { name: '王小明' },
        position: 'Backend engineer',
        startsAt: '2030-01-08T06:00:00.000Z',
        durationMinutes: 60,
        interviewerIds: [interviewer.id],
        ...payload,
      },
    });

  it('answers invalid input with each field\'s problem in English and Chinese', async () => {
    const response = await schedule({ candidate: { name: ' ', email: 'not-an-email' }, durationMinutes: 2 });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      code: 'validation_failed',
      message: 'Candidate name: required: it cannot be empty; Candidate email: enter a valid email address, such as name@example.com; Duration: must be at least 5',
      messageZh: '候选人姓名：请填写此项，不能为空；候选人邮箱：请输入有效的邮箱地址，例如 name@example.com；时长：不能小于 5。',
      fields: [
        { in: 'body', path: 'candidate.name', code: 'required', message: 'Required: it cannot be empty', messageZh: '请填写此项，不能为空。' },
        {
          in: 'body',
          path: 'candidate.email',
          code: 'invalid_email',
          message: 'Enter a valid email address, such as name@example.com',
          messageZh: '请输入有效的邮箱地址，例如 name@example.com。',
        },
        { in: 'body', path: 'durationMinutes', code: 'too_small', message: 'Must be at least 5', messageZh: '不能小于 5。' },
      ],
    });
  });

  it('puts a scheduling rule\'s refusal at its field, in both languages', async () => {
    const past = (await schedule({ startsAt: '2030-01-07T01:00:00.000Z' })).json();
    expect(past).toMatchObject({
      error: 'invalid_request',
      code: 'start_in_past',
      message: 'startsAt 2030-01-07T01:00:00.000Z is in the past: pick a start time in the future',
      messageZh: '开始时间已经过去了，请选择将来的时间。',
      fields: [{ in: 'body', path: 'startsAt', code: 'start_in_past', messageZh: '这个时间已经过去了，请选择将来的时间。' }],
    });
    const notManager = (await schedule({ hiringManagerId: interviewer.id })).json();
    expect(notManager).toMatchObject({
      code: 'not_a_hiring_manager',
      fields: [{ path: 'hiringManagerId', messageZh: 'Carol 不是用人经理；管理员可以在“人员与角色”页面授予该角色。' }],
    });
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const unknown = (await schedule({ interviewerIds: [unknownId] })).json();
    expect(unknown).toMatchObject({ code: 'person_not_active', fields: [{ path: 'interviewerIds', code: 'person_not_active' }] });
    expect(unknown.messageZh).toBe(`面试官：${unknownId} 不是通讯录中的在职成员（可能已停用或不存在）。`);
  });

  it('names the reason of a refusal with a code: no session, an expired one, no access, a stale version, nothing there', async () => {
    const anonymous = (await app.inject({ method: 'GET', url: '/api/me' })).json();
    expect(anonymous).toEqual({ error: 'unauthenticated', code: 'sign_in_required', message: 'Sign in with WeCom to continue', messageZh: '请先使用企业微信登录。' });
    const forged = (await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: 'pairview_session=forged.value' } })).json();
    expect(forged).toMatchObject({ code: 'session_invalid', messageZh: '你的登录已失效，请重新登录。' });

    const forbidden = await app.inject({ method: 'GET', url: '/api/people', headers: { cookie: interviewer.cookie } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error: 'forbidden', code: 'forbidden', message: 'You do not have access to this', messageZh: '你没有权限访问此内容。' });

    const id = (await schedule({})).json().interview.id as string;
    const stale = await app.inject({ method: 'PATCH', url: `/api/interviews/${id}`, headers: { cookie: recruiter }, payload: { version: 7, position: 'x' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      error: 'conflict',
      code: 'version_conflict',
      messageZh: '这场面试刚被其他人修改过（你看到的是第 7 版，现在是第 1 版）：请刷新后重新修改。',
    });
    await app.inject({ method: 'POST', url: `/api/interviews/${id}/cancel`, headers: { cookie: recruiter }, payload: { version: 1 } });
    const cancelled = await app.inject({ method: 'POST', url: `/api/interviews/${id}/cancel`, headers: { cookie: recruiter }, payload: { version: 2 } });
    expect(cancelled.json()).toMatchObject({ code: 'interview_not_scheduled', messageZh: '这场面试已取消，不能再取消。' });

    const missing = await app.inject({ method: 'GET', url: '/api/interviews/00000000-0000-4000-8000-000000000000', headers: { cookie: recruiter } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found', code: 'interview_not_found', messageZh: expect.stringMatching(CHINESE) });

    const nowhere = await app.inject({ method: 'DELETE', url: '/api/nothing-here?x=1' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toEqual({
      error: 'not_found',
      code: 'route_not_found',
      message: 'Nothing at DELETE /api/nothing-here: check the address',
      messageZh: 'DELETE /api/nothing-here 没有对应的内容，请检查地址。',
    });
  });

  it('answers what fastify refuses before any handler (bad JSON, an empty body, another format) the same way', async () => {
    const post = (payload: string, contentType: string) =>
      app.inject({ method: 'POST', url: '/api/interviews', headers: { cookie: recruiter, 'content-type': contentType }, payload });
    const badJson = await post('{"candidate":', 'application/json');
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ error: 'invalid_request', code: 'invalid_json', messageZh: '请求内容不是有效的 JSON。' });
    const empty = await post('', 'application/json');
    expect(empty.json()).toMatchObject({ code: 'empty_json_body', messageZh: expect.stringMatching(CHINESE) });
    const form = await post('a=1', 'application/x-www-form-urlencoded');
    expect(form.statusCode).toBe(415);
    expect(form.json()).toMatchObject({ code: 'unsupported_media_type', messageZh: expect.stringMatching(CHINESE) });
    const noBody = await app.inject({ method: 'POST', url: '/api/interviews', headers: { cookie: recruiter } });
    expect(noBody.json()).toMatchObject({ code: 'validation_failed', message: 'The request body: required', messageZh: '请求内容：请填写此项。' });
  });
});

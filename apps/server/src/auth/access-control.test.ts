/**
 * Every route, tried as every kind of caller. The table is keyed by the route list of the app as main.ts builds it
 * — Pairview's API, the WeCom glue's routes (startWeCom: callbacks and OAuth sign-in, against the emulator) and
 * the web app's pages — so a route added without a row here fails this test (and a route without a policy cannot
 * even be registered).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCallback, signUrlVerification } from '@pairview/wecom/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../app.ts';
import { ManualClock, buildTestApp, createMigratedDatabase, createPerson, sessionCookie, testConfig, type MigratedTestDatabase } from '../../test/helpers.ts';
import { createInterview } from '../interviews/service.ts';
import { enqueueNotification } from '../notifications/outbox.ts';
import { createQuestion } from '../questions/service.ts';
import { webApp } from '../web/plugin.ts';
import { DEMO_PEOPLE, startWeCom, type WeComIntegration } from '../wecom/index.ts';
import { createOAuthState, newBrowserNonce } from './oauth-states.ts';
import { SIGN_IN_COOKIE } from '../wecom/oauth/plugin.ts';
import { rolesOf, type MemberPrincipal } from './principal.ts';
import { SESSION_COOKIE } from './sessions.ts';

type Caller = 'anonymous' | 'candidate' | 'interviewer' | 'outsider' | 'hiringManager' | 'recruiter' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'candidate', 'interviewer', 'outsider', 'hiringManager', 'recruiter', 'admin'];
const MEMBERS: Caller[] = ['interviewer', 'outsider', 'hiringManager', 'recruiter', 'admin'];

interface Fixture {
  interviewId: string;
  token: string;
  targetPersonId: string;
  messageId: string;
  panelistId: string;
  /** The running WeCom glue (its emulator signs in and its callback credentials sign callbacks). */
  wecom: WeComIntegration;
  database: MigratedTestDatabase;
  clock: ManualClock;
}

interface Request {
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

interface Case {
  allowed: Caller[];
  /** The route ends the caller's session: give each caller a throwaway one. */
  consumesSession?: boolean;
  /** What an allowed caller gets; default 200, 201 or 409 (allowed, but the state says no). */
  allowedStatus?: number[];
  /** Built per caller (a signed callback or an OAuth state is good once). */
  request(f: Fixture): Request | Promise<Request>;
}

/** WeCom's own callbacks: authenticated by their signature, whoever's cookies ride along. */
const callbackCredentials = (f: Fixture) => {
  const { callbackToken, encodingAESKey, corpId } = f.wecom.deps.client.config;
  return { token: callbackToken!, encodingAESKey: encodingAESKey!, corpId };
};
let callbackSeq = 0;

const FUTURE = '2030-03-01T02:00:00.000Z';
const roomRun = { language: 'javascript', code: 'console.log(1)', stdin: '', output: '1\n', truncated: false, status: 'ok', durationMs: 12 };

/** A fresh question for one caller (its title and guidance must not reach a refused caller). */
const secretQuestion = (f: Fixture) =>
  createQuestion({ db: f.database.db, clock: f.clock }, null, {
    title: 'Secret question',
    statement: 'Secret statement',
    difficulty: 'hard',
    tags: [],
    starterCode: {},
    guidance: 'Secret guidance',
  });

const cases: Record<string, Case> = {
  'GET /healthz': { allowed: CALLERS, request: () => ({ url: '/healthz' }) },
  'GET /api/me': { allowed: MEMBERS, request: () => ({ url: '/api/me' }) },
  'POST /api/auth/sign-out': { allowed: CALLERS, consumesSession: true, request: () => ({ url: '/api/auth/sign-out' }) },
  'GET /api/people': { allowed: ['recruiter', 'admin'], request: () => ({ url: '/api/people' }) },
  'GET /api/people/:id': { allowed: ['recruiter', 'admin'], request: (f) => ({ url: `/api/people/${f.targetPersonId}` }) },
  'PUT /api/people/:id/roles': {
    allowed: ['admin'],
    request: (f) => ({ url: `/api/people/${f.targetPersonId}/roles`, payload: { roles: ['hiring_manager'] } }),
  },
  'GET /api/interviews': { allowed: MEMBERS, request: () => ({ url: '/api/interviews' }) },
  'POST /api/interviews': {
    allowed: ['recruiter'],
    request: (f) => ({
      url: '/api/interviews',
      payload: { candidate: { name: 'C' }, position: 'P', startsAt: FUTURE, durationMinutes: 30, interviewerIds: [f.panelistId] },
    }),
  },
  'GET /api/interviews/:id': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}` }),
  },
  'PATCH /api/interviews/:id': {
    allowed: ['recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}`, payload: { version: 1, position: 'Renamed' } }),
  },
  'POST /api/interviews/:id/reschedule': {
    allowed: ['recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/reschedule`, payload: { version: 1, startsAt: FUTURE } }),
  },
  'POST /api/interviews/:id/cancel': {
    allowed: ['recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/cancel`, payload: { version: 1 } }),
  },
  'POST /api/interviews/:id/end': {
    allowed: ['interviewer', 'recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/end` }),
  },
  'POST /api/interviews/:id/response': {
    allowed: ['interviewer'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/response`, payload: { response: 'accepted' } }),
  },
  'POST /api/interviews/:id/scorecard': {
    allowed: ['interviewer'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/scorecard`, payload: { rating: 'yes' } }),
  },
  'POST /api/interviews/:id/decision': {
    allowed: ['hiringManager', 'recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/decision`, payload: { decision: 'advance' } }),
  },
  'POST /api/interviews/:id/candidate-link': {
    allowed: ['recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/candidate-link` }),
  },
  'GET /api/interviews/:id/playback': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/playback` }),
  },
  'GET /api/room-links/:token': { allowed: ['candidate'], request: (f) => ({ url: `/api/room-links/${f.token}` }) },
  'POST /api/room-links/:token/join': {
    allowed: ['candidate'],
    request: (f) => ({ url: `/api/room-links/${f.token}/join`, payload: { name: 'Xiaoming' } }),
  },
  'POST /api/room-links/:token/language': {
    allowed: ['candidate'],
    request: (f) => ({ url: `/api/room-links/${f.token}/language`, payload: { language: 'python' } }),
  },
  'POST /api/room-links/:token/runs': {
    allowed: ['candidate'],
    request: (f) => ({ url: `/api/room-links/${f.token}/runs`, payload: roomRun }),
  },
  // The fixture's room has not started: an allowed caller hears so (409) before anything is sent to a runner.
  'POST /api/room-links/:token/execute': {
    allowed: ['candidate'],
    request: (f) => ({ url: `/api/room-links/${f.token}/execute`, payload: { language: 'java', code: 'class Main {}' } }),
  },
  'POST /api/room-links/:token/signals': {
    allowed: ['candidate'],
    request: (f) => ({ url: `/api/room-links/${f.token}/signals`, payload: { kind: 'paste', chars: 500 } }),
  },
  'GET /api/interviews/:id/room': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room` }),
  },
  'POST /api/interviews/:id/room/start': {
    allowed: ['interviewer', 'recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room/start` }),
  },
  'PATCH /api/interviews/:id/room': {
    allowed: ['interviewer', 'recruiter'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room`, payload: { candidateCanRun: true } }),
  },
  'POST /api/interviews/:id/room/runs': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room/runs`, payload: roomRun }),
  },
  'POST /api/interviews/:id/room/execute': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room/execute`, payload: { language: 'java', code: 'class Main {}' } }),
  },
  // The fixture's interview has no question: an allowed caller hears there are no test cases to run (409).
  'GET /api/interviews/:id/room/tests': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room/tests` }),
  },
  'POST /api/interviews/:id/room/tests': {
    allowed: ['interviewer', 'hiringManager', 'recruiter', 'admin'],
    request: (f) => ({ url: `/api/interviews/${f.interviewId}/room/tests`, payload: { language: 'python', code: 'print(1)' } }),
  },
  'GET /api/questions': { allowed: MEMBERS, request: () => ({ url: '/api/questions?archived=true' }) },
  'GET /api/questions/:id': { allowed: MEMBERS, request: async (f) => ({ url: `/api/questions/${await secretQuestion(f)}` }) },
  'POST /api/questions': { allowed: ['recruiter', 'admin'], request: () => ({ url: '/api/questions', payload: { title: 'Q' } }) },
  'PUT /api/questions/:id': {
    allowed: ['recruiter', 'admin'],
    request: async (f) => ({
      url: `/api/questions/${await secretQuestion(f)}`,
      payload: { title: 'Renamed', updatedAt: f.clock.now().toISOString() },
    }),
  },
  'POST /api/questions/:id/archive': {
    allowed: ['recruiter', 'admin'],
    request: async (f) => ({ url: `/api/questions/${await secretQuestion(f)}/archive` }),
  },
  'POST /api/questions/:id/restore': {
    allowed: ['recruiter', 'admin'],
    request: async (f) => ({ url: `/api/questions/${await secretQuestion(f)}/restore` }),
  },
  'GET /api/messages': { allowed: ['admin'], request: () => ({ url: '/api/messages' }) },
  'POST /api/messages/:id/retry': { allowed: ['admin'], request: (f) => ({ url: `/api/messages/${f.messageId}/retry` }) },
  'GET /api/callbacks': { allowed: ['admin'], request: () => ({ url: '/api/callbacks' }) },
  'POST /api/wecom/directory-sync': {
    allowed: ['admin'],
    // WeCom refuses the read (a fault armed for each try), so the sync changes nobody: a 502 proves the admin got
    // past the policy without the emulator's demo directory deactivating the fixtures' people.
    allowedStatus: [502],
    request: (f) => {
      f.wecom.emulator!.control.clearFaults();
      f.wecom.emulator!.control.injectFault({ path: 'department/simplelist', errcodes: [60011] });
      return { url: '/api/wecom/directory-sync' };
    },
  },
  // The WeCom glue's routes are public: WeCom signs its callbacks, and signing in is how one gets a session.
  'GET /wecom/callback': {
    allowed: CALLERS,
    request: (f) => ({ url: `/wecom/callback?${signUrlVerification(callbackCredentials(f)).search}` }),
  },
  'POST /wecom/callback': {
    allowed: CALLERS,
    request: (f) => {
      const { corpId } = callbackCredentials(f);
      const agentId = f.wecom.deps.client.config.agentId;
      callbackSeq++;
      const event = { type: 'text' as const, toUserName: corpId, fromUserName: DEMO_PEOPLE.interviewers[0], createTime: 1_900_000_000 + callbackSeq, msgId: `71000000000000${callbackSeq}`, agentId: agentId!, content: 'help' };
      const signed = signCallback({ ...callbackCredentials(f), event });
      return { url: `/wecom/callback?${signed.search}`, payload: signed.body, headers: { 'content-type': 'text/xml' } };
    },
  },
  // The SDK's adapter routes the other methods too, to answer them 405 (not 404): nothing is reached.
  ...Object.fromEntries(
    ['PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((method): [string, Case] => [
      `${method} /wecom/callback`,
      { allowed: CALLERS, allowedStatus: [405], request: () => ({ url: '/wecom/callback' }) },
    ]),
  ),
  'GET /auth/wecom/start': { allowed: CALLERS, allowedStatus: [302], request: () => ({ url: '/auth/wecom/start?redirect=%2Fmy' }) },
  'GET /auth/wecom/callback': {
    allowed: CALLERS,
    allowedStatus: [302],
    // Signing in ends the session the browser had: each caller brings a fresh one.
    consumesSession: true,
    async request(f) {
      // The browser that started the sign-in brings its nonce cookie back.
      const browserNonce = newBrowserNonce();
      const state = await createOAuthState(f.database.db, f.clock, { purpose: 'sign_in', redirectTo: '/my', browserNonce });
      const code = f.wecom.emulator!.control.oauthCode(DEMO_PEOPLE.interviewers[0]);
      return { url: `/auth/wecom/callback?code=${code}&state=${state}`, headers: { cookie: `${SIGN_IN_COOKIE}=${browserNonce}` } };
    },
  },
  // The web app: its pages are public (each page asks the API, which checks); API paths never get the page.
  'GET /*': { allowed: CALLERS, request: () => ({ url: '/interviews/whatever' }) },
};

describe('access control on every route', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z');
  const cookies = {} as Record<Caller, string | undefined>;
  const personOf = {} as Record<Caller, string | undefined>;
  let owner: MemberPrincipal;
  let ids: Record<'interviewer' | 'hiringManager' | 'target', string>;
  let wecom: WeComIntegration;
  let distDir: string;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_access');
    // The app as main.ts builds it: the WeCom glue (here on the emulator, its demo company synced) and the web app.
    const config = testConfig();
    wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock, log: { info() {}, warn() {} }, emulatorPort: 0 });
    distDir = mkdtempSync(join(tmpdir(), 'pairview-access-web-'));
    writeFileSync(join(distDir, 'index.html'), '<!doctype html><html lang="zh-CN"><body><div id="root"></div></body></html>');
    app = await buildTestApp(database, { clock, config, wecomStatus: () => wecom.status(), plugins: [wecom.plugin, webApp({ distDir })] });
    const make = async (caller: Caller | 'owner' | 'target', options: Parameters<typeof createPerson>[1] = {}) => {
      const person = await createPerson(database.db, { name: `The ${caller}`, ...options });
      if (CALLERS.includes(caller as Caller)) {
        cookies[caller as Caller] = await sessionCookie(app, database.db, person.id, clock);
        personOf[caller as Caller] = person.id;
      }
      return person;
    };
    const ownerRow = await make('owner', { roles: ['recruiter'] });
    owner = { kind: 'member', person: ownerRow, roles: rolesOf(ownerRow, new Set()) };
    ids = {
      interviewer: (await make('interviewer')).id,
      hiringManager: (await make('hiringManager', { roles: ['hiring_manager'] })).id,
      target: (await make('target')).id,
    };
    await make('outsider');
    await make('recruiter', { roles: ['recruiter'] });
    await make('admin', { wecomUserId: 'admin' }); // PAIRVIEW_ADMINS=admin in testConfig
  });
  afterAll(async () => {
    await app?.close();
    await wecom?.stop();
    await database?.drop();
    if (distDir) rmSync(distDir, { recursive: true, force: true });
  });

  /** A fresh interview (started 10 minutes ago) with its room link, and a failed message, for one route. */
  async function fixture(): Promise<Fixture> {
    clock.set('2030-01-07T02:00:00.000Z');
    const { interviewId, candidateLinkToken } = await createInterview({ db: database.db, clock }, owner, {
      candidate: { name: 'Secret Candidate', email: 'secret@example.com' },
      position: 'Secret position',
      startsAt: new Date('2030-01-08T02:00:00.000Z'),
      durationMinutes: 60,
      interviewerIds: [ids.interviewer],
      hiringManagerId: ids.hiringManager,
    });
    const messageId = await database.db.transaction().execute((tx) =>
      enqueueNotification(tx, { kind: 'welcome', recipients: [ids.target] }),
    );
    await database.db.updateTable('outbox').set({ status: 'failed' }).where('id', '=', messageId!).execute();
    clock.set('2030-01-08T02:10:00.000Z');
    return {
      interviewId,
      token: candidateLinkToken,
      targetPersonId: ids.target,
      messageId: messageId!,
      panelistId: ids.interviewer,
      wecom,
      database,
      clock,
    };
  }

  it('has a case for every route, and every case is a route', () => {
    // A route may serve several methods (the SDK's callback route is GET and POST): one case per method.
    const routes = routeList(app).flatMap((r) => r.method.split(',').map((method) => `${method} ${r.url}`));
    expect(routes.filter((r) => !(r in cases))).toEqual([]);
    expect(Object.keys(cases).filter((c) => !routes.includes(c))).toEqual([]);
  });

  for (const [key, routeCase] of Object.entries(cases)) {
    it(`${key}: allowed for ${routeCase.allowed.join(', ')}; everyone else is refused with no data`, async () => {
      const [method] = key.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'];
      const f = await fixture();
      const usesToken = key.includes(':token');
      for (const caller of CALLERS) {
        const allowed = routeCase.allowed.includes(caller);
        // Someone without the link tries a forged one; the candidate has no session and tries their link as one.
        const request = await routeCase.request(usesToken && caller !== 'candidate' ? { ...f, token: 'A'.repeat(43) } : f);
        const member = personOf[caller];
        const cookie =
          caller === 'candidate'
            ? `${SESSION_COOKIE}=${f.token}`
            : routeCase.consumesSession && member
              ? await sessionCookie(app, database.db, member, clock)
              : cookies[caller];
        const response = await app.inject({
          method,
          url: request.url,
          headers: { ...request.headers, ...(cookie ? { cookie: [request.headers?.['cookie'], cookie].filter(Boolean).join('; ') } : {}) },
          ...(request.payload !== undefined ? { payload: request.payload as string | object } : {}),
        });
        const label = `${key} as ${caller} → ${response.statusCode} ${response.body.slice(0, 200)}`;
        if (allowed) {
          expect(routeCase.allowedStatus ?? [200, 201, 409], label).toContain(response.statusCode);
        } else {
          // No session at all is 401 (the web app sends people to sign in); a link route refuses a wrong link with 403.
          const expected = !usesToken && (caller === 'anonymous' || caller === 'candidate') ? 401 : 403;
          expect(response.statusCode, label).toBe(expected);
          expect(Object.keys(response.json()).sort(), label).toEqual(['code', 'error', 'message', 'messageZh']);
          expect(response.json().messageZh, label).toMatch(/[\u4e00-\u9fff]/);
          expect(response.body, label).not.toMatch(/Secret|secret@|Renamed/);
        }
      }
    });
  }

  it('a candidate link opens its own room only, and nothing once the interview has ended', async () => {
    const first = await fixture();
    const second = await fixture();
    const own = await app.inject({ method: 'GET', url: `/api/room-links/${first.token}` });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual(expect.objectContaining({ position: 'Secret position', candidateName: 'Secret Candidate' }));
    // The room's own id names its documents on the collaboration socket (it opens nothing without the link);
    // nothing of another interview, and no person's id.
    expect(own.json().interviewId).toBe(first.interviewId);
    expect(JSON.stringify(own.json())).not.toContain(second.interviewId);
    expect(JSON.stringify(own.json())).not.toMatch(/"(personId|recruiterId|id)"/);

    await app.inject({ method: 'POST', url: `/api/interviews/${first.interviewId}/end`, headers: { cookie: cookies.interviewer! } });
    const ended = await app.inject({ method: 'GET', url: `/api/room-links/${first.token}` });
    expect(ended.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/room-links/${second.token}` })).statusCode).toBe(200);
  });

  it('refuses a session of a person deactivated in the directory', async () => {
    const person = await createPerson(database.db, { roles: ['recruiter'] });
    const cookie = await sessionCookie(app, database.db, person.id, clock);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    await database.db.updateTable('people').set({ active: false }).where('id', '=', person.id).execute();
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('refuses to register a route without a policy', async () => {
    await expect(
      buildTestApp(database, {
        clock,
        plugins: [
          (instance) => {
            instance.get('/api/unguarded', async () => ({ leaked: true }));
          },
        ],
      }),
    ).rejects.toThrow(/GET \/api\/unguarded declares no access policy/);
  });
});

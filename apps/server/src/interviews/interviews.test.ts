import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  buildTestApp,
  createMigratedDatabase,
  createPerson,
  queuedJobs,
  sessionCookie,
  type MigratedTestDatabase,
} from '../../test/helpers.ts';

const MIN = 60_000;

describe('scheduling interviews over HTTP', () => {
  let database: MigratedTestDatabase;
  let app: FastifyInstance;
  const clock = new ManualClock('2030-01-07T02:00:00.000Z'); // Monday 10:00 in Shanghai
  let recruiter: { id: string; cookie: string };
  let manager: { id: string; cookie: string };
  let alice: { id: string; cookie: string };
  let bob: { id: string; cookie: string };
  let carol: { id: string; cookie: string };

  async function member(name: string, roles: ('recruiter' | 'hiring_manager')[] = []) {
    const person = await createPerson(database.db, { name, roles });
    return { id: person.id, cookie: await sessionCookie(app, database.db, person.id, clock) };
  }

  beforeAll(async () => {
    database = await createMigratedDatabase();
    app = await buildTestApp(database, { clock });
    recruiter = await member('Rita Recruiter', ['recruiter']);
    manager = await member('Max Manager', ['hiring_manager']);
    alice = await member('Alice');
    bob = await member('Bob');
    carol = await member('Carol');
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });
  beforeEach(() => clock.set('2030-01-07T02:00:00.000Z'));

  async function schedule(overrides: Record<string, unknown> = {}) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/interviews',
      headers: { cookie: recruiter.cookie },
      payload: {
        candidate: { name: '王小明', email: 'xm@example.com' },
        position: 'Backend engineer',
        startsAt: '2030-01-08T06:00:00.000Z',
        durationMinutes: 60,
        interviewerIds: [alice.id, bob.id],
        hiringManagerId: manager.id,
        ...overrides,
      },
    });
    return response;
  }

  async function outbox(interviewId: string) {
    return database.db.selectFrom('outbox').selectAll().where('interview_id', '=', interviewId).orderBy('created_at').orderBy('kind').execute();
  }

  async function interviewJobs(interviewId: string) {
    const jobs = await queuedJobs(database.db);
    return Object.fromEntries(
      jobs.filter((j) => j.key?.endsWith(interviewId)).map((j) => [j.task_identifier, j.run_at.toISOString()]),
    );
  }

  it('schedules: the room and its link, the card notification to each interviewer, and the timed jobs', async () => {
    const response = await schedule();
    expect(response.statusCode).toBe(201);
    const body = response.json();
    const id = body.interview.id as string;
    expect(body.candidateLink).toMatch(/^http:\/\/localhost:3000\/r\/[A-Za-z0-9_-]{43}$/);
    expect(body.interview).toMatchObject({
      status: 'scheduled',
      version: 1,
      position: 'Backend engineer',
      candidate: { name: '王小明', email: 'xm@example.com' },
      recruiter: { id: recruiter.id },
      hiringManager: { id: manager.id },
      feedback: { expected: 2, submitted: 0, status: 'waiting' },
    });
    expect(body.interview.interviewers.map((i: { id: string; response: string }) => [i.id, i.response])).toEqual([
      [alice.id, 'pending'],
      [bob.id, 'pending'],
    ]);

    const rows = await outbox(id);
    expect(rows.map((r) => [r.kind, r.status, [...r.recipient_ids].sort()])).toEqual([
      ['interview_scheduled', 'queued', [alice.id, bob.id].sort()],
    ]);
    expect(rows[0]!.payload).toEqual({ kind: 'interview_scheduled', interviewId: id, recipients: [alice.id, bob.id] });

    const deliveries = await queuedJobs(database.db, 'deliver_notification');
    expect(deliveries.find((j) => j.key === rows[0]!.id)?.payload).toEqual({ outboxId: rows[0]!.id });

    expect(await interviewJobs(id)).toEqual({
      interview_reminder: '2030-01-08T05:45:00.000Z',
      candidate_late: '2030-01-08T06:05:00.000Z',
      feedback_chaser: '2030-01-08T08:00:00.000Z',
    });

    // The link opens this room for the candidate.
    const token = new URL(body.candidateLink).pathname.split('/').pop();
    const room = await app.inject({ method: 'GET', url: `/api/room-links/${token}` });
    expect(room.statusCode).toBe(200);
    expect(room.json()).toMatchObject({ position: 'Backend engineer', candidateName: '王小明', interviewers: [{ name: 'Alice', englishName: null }, { name: 'Bob', englishName: null }] });
  });

  it('refuses a start in the past, an unknown interviewer, or a hiring manager without the role, and writes nothing', async () => {
    const before = await database.db.selectFrom('interviews').select(({ fn }) => fn.countAll().as('n')).executeTakeFirstOrThrow();
    const past = await schedule({ startsAt: '2030-01-07T01:00:00.000Z' });
    expect(past.statusCode).toBe(400);
    expect(past.json().message).toMatch(/startsAt .* is in the past/);

    const unknown = await schedule({ interviewerIds: [alice.id, '00000000-0000-4000-8000-000000000000'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/interviewerIds: 00000000-0000-4000-8000-000000000000 is not an active person/);

    const notManager = await schedule({ hiringManagerId: carol.id });
    expect(notManager.statusCode).toBe(400);
    expect(notManager.json().message).toMatch(/Carol is not a hiring manager/);

    const malformed = await schedule({ durationMinutes: 2, startsAt: 'tomorrow' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toMatch(/^Start time: .*; Duration: must be at least 5$/);
    expect(malformed.json().fields.map((f: { path: string }) => f.path)).toEqual(['startsAt', 'durationMinutes']);

    const after = await database.db.selectFrom('interviews').select(({ fn }) => fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('reschedules: jobs move with the interview, answers reset, interviewers told; a stale version is refused', async () => {
    const id = (await schedule()).json().interview.id as string;
    await app.inject({ method: 'POST', url: `/api/interviews/${id}/response`, headers: { cookie: alice.cookie }, payload: { response: 'accepted' } });

    const moved = await app.inject({
      method: 'POST',
      url: `/api/interviews/${id}/reschedule`,
      headers: { cookie: recruiter.cookie },
      payload: { version: 1, startsAt: '2030-01-09T02:00:00.000Z', durationMinutes: 45 },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ version: 2, startsAt: '2030-01-09T02:00:00.000Z', durationMinutes: 45 });
    expect(moved.json().interviewers.map((i: { response: string }) => i.response)).toEqual(['pending', 'pending']);

    expect(await interviewJobs(id)).toEqual({
      interview_reminder: '2030-01-09T01:45:00.000Z',
      candidate_late: '2030-01-09T02:05:00.000Z',
      feedback_chaser: '2030-01-09T03:45:00.000Z',
    });
    const keys = (await queuedJobs(database.db)).filter((j) => j.key?.endsWith(id));
    expect(keys).toHaveLength(3); // replaced, not added

    const rows = await outbox(id);
    const notice = rows.find((r) => r.kind === 'interview_rescheduled');
    expect(notice?.payload).toMatchObject({ previousStartsAt: '2030-01-08T06:00:00.000Z', recipients: [alice.id, bob.id] });

    const stale = await app.inject({
      method: 'POST',
      url: `/api/interviews/${id}/reschedule`,
      headers: { cookie: recruiter.cookie },
      payload: { version: 1, startsAt: '2030-01-10T02:00:00.000Z' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().message).toMatch(/you had version 1, it is now 2/);
  });

  it('cancels: scheduled jobs are removed, the candidate link dies, interviewers are told', async () => {
    const created = (await schedule()).json();
    const id = created.interview.id as string;
    const token = new URL(created.candidateLink).pathname.split('/').pop();
    const cancelled = await app.inject({
      method: 'POST',
      url: `/api/interviews/${id}/cancel`,
      headers: { cookie: recruiter.cookie },
      payload: { version: 1, reason: 'Candidate withdrew' },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelReason: 'Candidate withdrew', feedback: { status: 'not_needed' } });
    expect(await interviewJobs(id)).toEqual({});
    expect((await outbox(id)).map((r) => r.kind)).toEqual(['interview_scheduled', 'interview_cancelled']);

    const room = await app.inject({ method: 'GET', url: `/api/room-links/${token}` });
    expect(room.statusCode).toBe(403);
    expect(Object.keys(room.json()).sort()).toEqual(['code', 'error', 'message', 'messageZh']);

    const again = await app.inject({ method: 'POST', url: `/api/interviews/${id}/cancel`, headers: { cookie: recruiter.cookie }, payload: { version: 2 } });
    expect(again.statusCode).toBe(409);
  });

  it('edits the panel: added interviewers get the card, removed ones are told, the others hear of changed details', async () => {
    const id = (await schedule()).json().interview.id as string;
    const edited = await app.inject({
      method: 'PATCH',
      url: `/api/interviews/${id}`,
      headers: { cookie: recruiter.cookie },
      payload: { version: 1, interviewerIds: [alice.id, carol.id], position: 'Staff engineer' },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().interviewers.map((i: { id: string }) => i.id)).toEqual([alice.id, carol.id]);
    const rows = (await outbox(id)).slice(1).map((r) => [r.kind, r.recipient_ids]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['interview_scheduled', [carol.id]],
        ['interviewer_removed', [bob.id]],
        ['interview_updated', [alice.id]],
      ]),
    );
    expect(rows).toHaveLength(3);
    // Bob is off the panel: the interview is no longer his to see.
    const asBob = await app.inject({ method: 'GET', url: `/api/interviews/${id}`, headers: { cookie: bob.cookie } });
    expect(asBob.statusCode).toBe(403);
  });

  it('a decline goes to the recruiter once; answering the same again changes nothing', async () => {
    const id = (await schedule()).json().interview.id as string;
    const decline = () =>
      app.inject({ method: 'POST', url: `/api/interviews/${id}/response`, headers: { cookie: bob.cookie }, payload: { response: 'declined' } });
    expect((await decline()).json()).toEqual({ response: 'declined', changed: true });
    expect((await decline()).json()).toEqual({ response: 'declined', changed: false });
    const declines = (await outbox(id)).filter((r) => r.kind === 'interviewer_declined');
    expect(declines.map((r) => [r.recipient_ids, r.payload])).toEqual([
      [[recruiter.id], { kind: 'interviewer_declined', interviewId: id, interviewerId: bob.id, recipients: [recruiter.id] }],
    ]);
  });

  it('scorecards: not before the start; peers hidden until you submit yours; once each; recruiter and hiring manager told', async () => {
    const id = (await schedule()).json().interview.id as string;
    const submit = (who: { cookie: string }, rating: string) =>
      app.inject({
        method: 'POST',
        url: `/api/interviews/${id}/scorecard`,
        headers: { cookie: who.cookie },
        payload: { rating, skillNotes: [{ skill: 'Coding', note: 'clean' }], summary: 'ok' },
      });
    expect((await submit(alice, 'yes')).statusCode).toBe(409);

    clock.set('2030-01-08T07:10:00.000Z');
    expect((await submit(alice, 'strong_yes')).statusCode).toBe(201);
    expect((await submit(alice, 'no')).statusCode).toBe(409);

    const asBob = (await app.inject({ method: 'GET', url: `/api/interviews/${id}`, headers: { cookie: bob.cookie } })).json();
    expect(asBob.scorecards).toEqual([]);
    expect(asBob.hiddenScorecards).toBe(1);
    expect(asBob.candidate).toEqual({ name: '王小明', email: null, phone: null });

    expect((await submit(bob, 'no')).statusCode).toBe(201);
    const asBobAfter = (await app.inject({ method: 'GET', url: `/api/interviews/${id}`, headers: { cookie: bob.cookie } })).json();
    expect(asBobAfter.scorecards.map((s: { rating: string }) => s.rating)).toEqual(['strong_yes', 'no']);
    expect(asBobAfter.feedback).toEqual({ expected: 2, submitted: 2, status: 'complete' });

    const asManager = (await app.inject({ method: 'GET', url: `/api/interviews/${id}`, headers: { cookie: manager.cookie } })).json();
    expect(asManager.scorecards).toHaveLength(2);

    const told = (await outbox(id)).filter((r) => r.kind === 'scorecard_submitted');
    expect(told.map((r) => r.recipient_ids)).toEqual([
      [recruiter.id, manager.id],
      [recruiter.id, manager.id],
    ]);
  });

  it('a panelist who declined cannot write a scorecard (it would unlock the peers\' feedback); accepting again lets them', async () => {
    const id = (await schedule()).json().interview.id as string;
    const respond = (response: string) => app.inject({ method: 'POST', url: `/api/interviews/${id}/response`, headers: { cookie: bob.cookie }, payload: { response } });
    const submit = () =>
      app.inject({ method: 'POST', url: `/api/interviews/${id}/scorecard`, headers: { cookie: bob.cookie }, payload: { rating: 'yes', skillNotes: [], summary: 'ok' } });
    expect((await respond('declined')).statusCode).toBe(200);
    clock.set('2030-01-08T07:10:00.000Z');
    const refused = await submit();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'declined_no_scorecard' });
    expect(refused.json().messageZh).toContain('你已拒绝这场面试');
    const asBob = (await app.inject({ method: 'GET', url: `/api/interviews/${id}`, headers: { cookie: bob.cookie } })).json();
    expect(asBob.scorecards).toEqual([]);
    expect(await database.db.selectFrom('scorecards').select('id').where('interview_id', '=', id).execute()).toEqual([]);
    expect((await respond('accepted')).statusCode).toBe(200);
    expect((await submit()).statusCode).toBe(201);
  });

  it('records one decision; a second one names who decided', async () => {
    const id = (await schedule()).json().interview.id as string;
    const decide = (who: { cookie: string }, decision: string) =>
      app.inject({ method: 'POST', url: `/api/interviews/${id}/decision`, headers: { cookie: who.cookie }, payload: { decision } });
    expect((await decide(manager, 'advance')).statusCode).toBe(201);
    const second = await decide(recruiter, 'reject');
    expect(second.statusCode).toBe(409);
    expect(second.json().message).toMatch(/Already decided: advance by Max Manager/);
    const detail = (await app.inject({ method: 'GET', url: `/api/interviews/${id}`, headers: { cookie: recruiter.cookie } })).json();
    expect(detail.decision.decision).toBe('advance');
    expect((await outbox(id)).filter((r) => r.kind === 'decision_recorded').map((r) => r.recipient_ids)).toEqual([[recruiter.id, manager.id]]);
  });

  it('lists all interviews for recruiters and only their own for interviewers', async () => {
    const mine = (await schedule({ interviewerIds: [carol.id] })).json().interview.id as string;
    const all = (await app.inject({ method: 'GET', url: '/api/interviews?limit=500', headers: { cookie: recruiter.cookie } })).json();
    const asCarol = (await app.inject({ method: 'GET', url: '/api/interviews', headers: { cookie: carol.cookie } })).json();
    expect(all.interviews.length).toBeGreaterThan(asCarol.interviews.length);
    expect(asCarol.interviews.map((i: { id: string }) => i.id)).toContain(mine);
    for (const interview of asCarol.interviews) {
      expect(interview.interviewers.map((i: { id: string }) => i.id)).toContain(carol.id);
      expect(interview.me).not.toBeNull();
    }
  });

  it('pages the list by start time, soonest or newest first, with a cursor that survives ties', async () => {
    const dora = await member('Dora');
    const starts = ['2030-01-08T06:00:00.000Z', '2030-01-09T06:00:00.000Z', '2030-01-09T06:00:00.000Z', '2030-01-09T06:00:00.000Z', '2030-01-10T06:00:00.000Z'];
    const ids: string[] = [];
    for (const startsAt of starts) ids.push((await schedule({ startsAt, interviewerIds: [dora.id] })).json().interview.id);
    const byStart = ids.map((id, i) => ({ id, startsAt: starts[i]! })).sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));

    const all = async (order: 'asc' | 'desc') => {
      const seen: { id: string; startsAt: string }[] = [];
      const pages: number[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/interviews?order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await app.inject({ method: 'GET', url, headers: { cookie: dora.cookie } })).json();
        seen.push(...page.interviews.map((i: { id: string; startsAt: string }) => ({ id: i.id, startsAt: i.startsAt })));
        pages.push(page.interviews.length);
        cursor = page.nextCursor;
      } while (cursor);
      return { seen, pages };
    };
    expect(await all('asc')).toEqual({ seen: byStart, pages: [2, 2, 1] });
    expect(await all('desc')).toEqual({ seen: [...byStart].reverse(), pages: [2, 2, 1] });

    // The past, newest first: what the web app's "past" lists ask for.
    clock.set('2030-01-09T12:00:00.000Z');
    const past = (await app.inject({ method: 'GET', url: `/api/interviews?order=desc&to=${clock.now().toISOString()}&limit=3`, headers: { cookie: dora.cookie } })).json();
    expect(past.interviews.map((i: { id: string }) => i.id)).toEqual(byStart.slice(0, 4).reverse().slice(0, 3).map((i) => i.id));
    expect(past.nextCursor).toEqual(expect.any(String));

    const bad = await app.inject({ method: 'GET', url: '/api/interviews?cursor=bm9wZQ', headers: { cookie: dora.cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'validation_failed',
      fields: [{ in: 'query', path: 'cursor', code: 'invalid_cursor', messageZh: '不是本列表给出的分页游标：请原样传入上一页的 nextCursor。' }],
    });
  });

  it('the candidate link dies when the interview ends: at "end", or 2 h after the planned end if nobody ends it; a move moves it', async () => {
    const created = (await schedule()).json(); // Tue 06:00–07:00 UTC
    const token = new URL(created.candidateLink).pathname.split('/').pop();
    const open = async () => (await app.inject({ method: 'GET', url: `/api/room-links/${token}` })).statusCode;
    clock.set('2030-01-08T08:59:59.000Z'); // an overrunning interview keeps its candidate
    expect(await open()).toBe(200);
    clock.set('2030-01-08T09:00:00.000Z');
    expect(await open()).toBe(403);

    // Moved a day later (before it started): the link lives until the new end + 2 h.
    clock.set('2030-01-07T02:00:00.000Z');
    const moved = await app.inject({
      method: 'POST',
      url: `/api/interviews/${created.interview.id}/reschedule`,
      headers: { cookie: recruiter.cookie },
      payload: { version: 1, startsAt: '2030-01-09T06:00:00.000Z' },
    });
    expect(moved.statusCode).toBe(200);
    clock.set('2030-01-08T09:00:00.000Z');
    expect(await open()).toBe(200);
    clock.set('2030-01-09T08:59:59.000Z');
    expect(await open()).toBe(200);
    // Ended by the panel at 07:10: dead at once, though its time is not up.
    clock.set('2030-01-09T07:10:00.000Z');
    const ended = await app.inject({ method: 'POST', url: `/api/interviews/${created.interview.id}/end`, headers: { cookie: alice.cookie } });
    expect(ended.statusCode).toBe(200);
    expect(await open()).toBe(403);
  });

  it('a candidate joining tells the interviewers once', async () => {
    const created = (await schedule()).json();
    const token = new URL(created.candidateLink).pathname.split('/').pop();
    const join = () => app.inject({ method: 'POST', url: `/api/room-links/${token}/join`, payload: { name: 'Xiaoming' } });
    expect((await join()).json()).toEqual({ joined: true, firstJoin: true });
    expect((await join()).json()).toEqual({ joined: true, firstJoin: false });
    const joined = (await outbox(created.interview.id)).filter((r) => r.kind === 'candidate_joined');
    expect(joined.map((r) => r.recipient_ids)).toEqual([[alice.id, bob.id]]);
  });
});

describe('what the bot commands read', () => {
  it('lists a person\'s interviews in a range and their missing scorecards', async () => {
    const { createMigratedDatabase: create, createPerson: person } = await import('../../test/helpers.ts');
    const { createInterview, respondToInvitation } = await import('./service.ts');
    const { interviewsOfPerson, pendingScorecards } = await import('./queries.ts');
    const { submitScorecard } = await import('../scorecards/service.ts');
    const database = await create('pv_bot');
    try {
      const clock = new ManualClock('2030-01-07T02:00:00.000Z');
      const r = await person(database.db, { roles: ['recruiter'] });
      const me = await person(database.db);
      const actor = { kind: 'member' as const, person: r, roles: new Set(['recruiter' as const]) };
      const at = (iso: string) =>
        createInterview({ db: database.db, clock }, actor, {
          candidate: { name: `C ${iso}` },
          position: 'P',
          startsAt: new Date(iso),
          durationMinutes: 60,
          interviewerIds: [me.id],
        });
      const monday = await at('2030-01-07T06:00:00.000Z');
      const tuesday = await at('2030-01-08T06:00:00.000Z');
      const declined = await at('2030-01-07T08:00:00.000Z');
      await respondToInvitation({ db: database.db, clock }, declined.interviewId, me.id, 'declined');

      const today = await interviewsOfPerson(database.db, me.id, { from: new Date('2030-01-06T16:00:00Z'), to: new Date('2030-01-07T16:00:00Z') });
      expect(today.map((i) => i.id)).toEqual([monday.interviewId]);

      clock.set('2030-01-08T08:00:00.000Z');
      expect((await pendingScorecards(database.db, me.id, clock.now())).map((i) => i.id)).toEqual([monday.interviewId, tuesday.interviewId]);
      await submitScorecard({ db: database.db, clock }, monday.interviewId, me.id, { rating: 'yes', skillNotes: [], summary: '' });
      expect((await pendingScorecards(database.db, me.id, clock.now())).map((i) => i.id)).toEqual([tuesday.interviewId]);
    } finally {
      await database.drop();
    }
  });
});

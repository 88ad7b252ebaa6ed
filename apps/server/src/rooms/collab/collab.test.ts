/**
 * The collaboration server over real sockets (Node clients with the browser's provider), PostgreSQL and the app's
 * routes: who gets which document, what the server stamps, what is stored, and what the end of a room does.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../../test/helpers.ts';
import { eventually, roomClient, roomStateIn, startRoomServer, type RoomClient, type RoomServer } from '../../../test/rooms.ts';
import type { MemberPrincipal } from '../../auth/principal.ts';
import { createInterview } from '../../interviews/service.ts';
import { replaceRoomLink } from '../links.ts';
import { documentName } from './names.ts';

let database: MigratedTestDatabase;
let server: RoomServer;
const clock = new ManualClock('2030-01-07T02:00:00.000Z');
const clients: RoomClient[] = [];

let recruiter: MemberPrincipal;
let interviewerCookie: string;
let secondCookie: string;
let outsiderCookie: string;
let interviewerId: string;

async function newInterview(): Promise<{ id: string; token: string }> {
  const { interviewId, candidateLinkToken } = await createInterview({ db: database.db, clock }, recruiter, {
    candidate: { name: '王芳' },
    position: 'Backend engineer',
    startsAt: new Date(clock.now().getTime() + 3600_000),
    durationMinutes: 60,
    interviewerIds: [interviewerId, (await database.db.selectFrom('people').select('id').where('name', '=', 'Second').executeTakeFirstOrThrow()).id],
  });
  return { id: interviewId, token: candidateLinkToken };
}

function client(interviewId: string, who: { cookie: string } | { linkToken: string }, options?: { origin?: string }) {
  const c = roomClient(server, interviewId, who, options);
  clients.push(c);
  return c;
}

async function start(id: string, cookie = interviewerCookie) {
  const response = await server.app.inject({ method: 'POST', url: `/api/interviews/${id}/room/start`, headers: { cookie } });
  expect(response.statusCode, response.body).toBe(200);
}

beforeAll(async () => {
  database = await createMigratedDatabase('pv_collab');
  server = await startRoomServer(database, { clock });
  const recruiterRow = await createPerson(database.db, { name: 'Recruiter', roles: ['recruiter'] });
  recruiter = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };
  const interviewer = await createPerson(database.db, { name: '陈杰' });
  interviewerId = interviewer.id;
  const second = await createPerson(database.db, { name: 'Second' });
  const outsider = await createPerson(database.db, { name: 'Outsider' });
  interviewerCookie = await sessionCookie(server.app, database.db, interviewer.id, clock);
  secondCookie = await sessionCookie(server.app, database.db, second.id, clock);
  outsiderCookie = await sessionCookie(server.app, database.db, outsider.id, clock);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.close();
  await database?.drop();
});

describe('who gets which document', () => {
  it('the panel opens the pad, the control document (read-only), the panel document and notes; outsiders nothing', async () => {
    const { id } = await newInterview();
    const member = client(id, { cookie: interviewerCookie });
    const pad = await member.open(documentName('code', id));
    expect(pad.readOnly).toBe(false);
    expect((await member.open(documentName('ctrl', id))).readOnly).toBe(true);
    expect((await member.open(documentName('panel', id))).readOnly).toBe(true);
    expect((await member.open(documentName('notes', id, interviewerId))).readOnly).toBe(false);
    // Another panelist reads these notes but cannot write them.
    expect((await client(id, { cookie: secondCookie }).open(documentName('notes', id, interviewerId))).readOnly).toBe(true);

    await expect(client(id, { cookie: outsiderCookie }).open(documentName('code', id))).rejects.toThrow('refused: forbidden');
    await expect(client(id, { cookie: 'pairview_session=forged' }).open(documentName('code', id))).rejects.toThrow('refused: unauthenticated');
    // A name for another interview on this room's socket, and names outside the fixed shapes.
    const other = await newInterview();
    await expect(member.open(documentName('code', other.id))).rejects.toThrow('refused: forbidden');
    await expect(member.open(`code:${id}:../x`)).rejects.toThrow('refused: forbidden');
    await expect(member.open('anything')).rejects.toThrow('refused: forbidden');
  });

  it('the candidate: the control document at once, the pad only after the start, never the notes or the panel document', async () => {
    const { id, token } = await newInterview();
    const candidate = client(id, { linkToken: token });
    const ctrl = await candidate.open(documentName('ctrl', id));
    expect(ctrl.readOnly).toBe(true);
    expect(roomStateIn(ctrl.doc)?.phase).toBe('waiting');
    await expect(candidate.open(documentName('code', id))).rejects.toThrow('refused: not_started');
    await expect(candidate.open(documentName('notes', id, interviewerId))).rejects.toThrow('refused: forbidden');
    await expect(candidate.open(documentName('panel', id))).rejects.toThrow('refused: forbidden');

    await start(id);
    await eventually(() => roomStateIn(ctrl.doc)?.phase === 'live', 'the lobby sees the start');
    const pad = await client(id, { linkToken: token }).open(documentName('code', id));
    expect(pad.readOnly).toBe(false);

    // Another room's link does not open this room, and this link does not open another.
    const other = await newInterview();
    await expect(client(other.id, { linkToken: token }).open(documentName('ctrl', other.id))).rejects.toThrow('refused: link_invalid');
    await expect(client(id, { linkToken: other.token }).open(documentName('ctrl', id))).rejects.toThrow('refused: link_invalid');
  });

  it('everyone with the control document open is present, by the name the server knows', async () => {
    const { id, token } = await newInterview();
    const candidate = await client(id, { linkToken: token }).open(documentName('ctrl', id));
    const member = await client(id, { cookie: interviewerCookie }).open(documentName('ctrl', id));
    // Browsers announce themselves (the room page sets `user`); what they claim is replaced by the server.
    candidate.provider.setAwarenessField('user', { name: 'anyone' });
    member.provider.setAwarenessField('user', { name: 'anyone' });
    // Each sees the other as the server named them (its own state is its own: what it set).
    const others = (doc: typeof member) =>
      [...doc.provider.awareness!.getStates()].filter(([clientId]) => clientId !== doc.doc.clientID).map(([, s]) => (s['user'] as { name?: string } | undefined)?.name);
    await eventually(() => others(member).join() === '王芳', 'the member sees the candidate');
    await eventually(() => others(candidate).join() === '陈杰', 'the candidate sees the member');
  });

  it('a socket opened from another site is refused at the upgrade', async () => {
    const { id } = await newInterview();
    const evil = client(id, { cookie: interviewerCookie }, { origin: 'https://evil.example' });
    const opening = evil.open(documentName('code', id));
    await eventually(() => evil.closes.length > 0, 'the refused socket closes');
    expect(evil.closes[0]!.code).not.toBe(1000);
    void opening.catch(() => {});
  });
});

describe('the pad', () => {
  it('starts from the starter code once, merges concurrent edits, and stamps names from the session', async () => {
    const { id, token } = await newInterview();
    await start(id);
    const a = await client(id, { cookie: interviewerCookie }).open(documentName('code', id));
    const b = await client(id, { linkToken: token }).open(documentName('code', id));
    const starter = a.doc.getText('code').toString();
    expect(starter).toContain('JavaScript');
    expect(b.doc.getText('code').toString()).toBe(starter);

    a.doc.getText('code').insert(0, '// interviewer\n');
    b.doc.getText('code').insert(b.doc.getText('code').length, '// candidate\n');
    await eventually(
      () => a.doc.getText('code').toString() === b.doc.getText('code').toString() && a.doc.getText('code').toString().includes('// candidate'),
      'both clients converge',
    );

    // The candidate claims to be someone else; the server says who they are.
    b.provider.setAwarenessField('user', { name: 'Mallory', color: 'red; background:url(x)' });
    await eventually(
      () => [...a.provider.awareness!.getStates().values()].some((s) => (s['user'] as { name?: string } | undefined)?.name === '王芳'),
      'the candidate is shown by the name the server knows',
    );
    const shown = [...a.provider.awareness!.getStates().values()].map((s) => s['user'] as { name: string; color: string } | undefined);
    expect(shown.some((u) => u?.name === 'Mallory')).toBe(false);
    expect(shown.every((u) => !u || /^#[0-9a-f]{6}$/.test(u.color))).toBe(true);

    // Every edit is in the log with its author; the seed is row 0.
    await eventually(async () => {
      const rows = await database.db.selectFrom('collab_updates').select(['author_kind', 'author_name']).where('document', '=', documentName('code', id)).orderBy('id').execute();
      return rows.length >= 3 && rows[0]!.author_kind === 'system' && rows.some((r) => r.author_name === '王芳') && rows.some((r) => r.author_name === '陈杰');
    }, 'edits logged with their authors');
    const seeds = await database.db.selectFrom('collab_updates').select('id').where('document', '=', documentName('code', id)).where('author_kind', '=', 'system').execute();
    expect(seeds).toHaveLength(1);
  });

  it('a language switch on an untouched pad replaces the starter code; on a pad with work it keeps the code', async () => {
    const { id } = await newInterview();
    await start(id);
    const pad = await client(id, { cookie: interviewerCookie }).open(documentName('code', id));
    const ctrl = await client(id, { cookie: secondCookie }).open(documentName('ctrl', id));
    const response = await server.app.inject({ method: 'PATCH', url: `/api/interviews/${id}/room`, headers: { cookie: interviewerCookie }, payload: { language: 'python' } });
    expect(response.statusCode, response.body).toBe(200);
    await eventually(() => roomStateIn(ctrl.doc)?.language === 'python', 'everyone sees the new language');
    await eventually(() => pad.doc.getText('code').toString().includes('def main'), 'the Python starter replaces the JavaScript one');

    pad.doc.getText('code').insert(0, 'print(1)\n');
    await eventually(async () => (await database.db.selectFrom('collab_updates').select('id').where('author_name', '=', '陈杰').where('document', '=', documentName('code', id)).execute()).length > 0, 'edit stored');
    await server.app.inject({ method: 'PATCH', url: `/api/interviews/${id}/room`, headers: { cookie: interviewerCookie }, payload: { language: 'java' } });
    await eventually(() => roomStateIn(ctrl.doc)?.language === 'java', 'language switched again');
    expect(pad.doc.getText('code').toString()).toContain('print(1)');
  });

  it('sends an edit to the other clients once each and not back to its author (skipEchoes)', async () => {
    const { id, token } = await newInterview();
    await start(id);
    const author = client(id, { cookie: interviewerCookie });
    const others = [client(id, { cookie: secondCookie }), client(id, { linkToken: token })];
    const pads = await Promise.all([author, ...others].map((c) => c.open(documentName('code', id))));
    const canary = 'ECHO-CANARY-7f3a';
    pads[0]!.doc.getText('code').insert(0, canary);
    await eventually(() => pads.slice(1).every((pad) => pad.doc.getText('code').toString().startsWith(canary)), 'the others see the edit');
    await eventually(() => !pads[0]!.provider.hasUnsyncedChanges, 'the author got its acknowledgement');
    const bytes = Buffer.from(canary);
    const carrying = (c: RoomClient) => c.received.filter((frame) => Buffer.from(frame).includes(bytes)).length;
    expect(others.map(carrying)).toEqual([1, 1]);
    expect(carrying(author)).toBe(0);
  });

  it('a new question before the start: an untouched pad takes its starter code and the room hears of it; a pad with work keeps the code', async () => {
    const { id } = await newInterview();
    const recruiterCookie = await sessionCookie(server.app, database.db, recruiter.person.id, clock);
    const question = async (starter: string) =>
      (await database.db.insertInto('questions').values({ title: starter, starter_code: JSON.stringify({ javascript: starter }) }).returning('id').executeTakeFirstOrThrow()).id;
    const choose = async (questionId: string) => {
      const { version } = await database.db.selectFrom('interviews').select('version').where('id', '=', id).executeTakeFirstOrThrow();
      const response = await server.app.inject({ method: 'PATCH', url: `/api/interviews/${id}`, headers: { cookie: recruiterCookie }, payload: { version, questionId } });
      expect(response.statusCode, response.body).toBe(200);
    };
    const pad = await client(id, { cookie: interviewerCookie }).open(documentName('code', id));
    const ctrl = await client(id, { cookie: secondCookie }).open(documentName('ctrl', id));
    expect(pad.doc.getText('code').toString()).toContain('Hello, Pairview'); // the template: no question yet

    const first = await question('// two sum: write twoSum(nums, target)\n');
    await choose(first);
    await eventually(() => roomStateIn(ctrl.doc)?.questionId === first, 'the room hears of the new question');
    await eventually(() => pad.doc.getText('code').toString() === '// two sum: write twoSum(nums, target)\n', 'the pad takes its starter code');

    pad.doc.getText('code').insert(0, 'const mine = 1;\n');
    const second = await question('// LRU cache\n');
    await choose(second);
    await eventually(() => roomStateIn(ctrl.doc)?.questionId === second, 'the room hears of the second question');
    expect(pad.doc.getText('code').toString()).toContain('const mine = 1;');
    expect(pad.doc.getText('code').toString()).not.toContain('LRU');
  });

  it('survives a restart of the server: what was typed comes back', async () => {
    const { id } = await newInterview();
    await start(id);
    const member = client(id, { cookie: interviewerCookie });
    const pad = await member.open(documentName('code', id));
    pad.doc.getText('code').insert(0, 'const kept = 42;\n');
    await eventually(async () => (await database.db.selectFrom('collab_updates').select('id').where('document', '=', documentName('code', id)).execute()).length >= 2, 'edit logged');
    member.destroy();

    const port = Number(new URL(server.httpBase).port);
    await server.close();
    server = await startRoomServer(database, { clock, port });
    const again = await client(id, { cookie: interviewerCookie }).open(documentName('code', id));
    expect(again.doc.getText('code').toString()).toContain('const kept = 42;');
  });
});

describe('the end of a room', () => {
  it('End interview locks the pad, closes the candidate socket and kills the link', async () => {
    const { id, token } = await newInterview();
    await start(id);
    const candidate = client(id, { linkToken: token });
    const candidatePad = await candidate.open(documentName('code', id));
    const member = client(id, { cookie: interviewerCookie });
    const pad = await member.open(documentName('code', id));
    const ctrl = await member.open(documentName('ctrl', id));
    const before = pad.doc.getText('code').toString();

    // Started from the room ahead of its planned time: it may end ahead of it too.
    const end = await server.app.inject({ method: 'POST', url: `/api/interviews/${id}/end`, headers: { cookie: interviewerCookie } });
    expect(end.statusCode, end.body).toBe(200);
    await eventually(() => candidate.closes.some((c) => c.code === 4403), 'the candidate socket is closed with 4403');
    await eventually(() => roomStateIn(ctrl.doc)?.phase === 'ended', 'the room shows it ended');

    // The member's connection is read-only now: an edit stays local and is not stored.
    pad.doc.getText('code').insert(0, 'after the end\n');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stored = await database.db.selectFrom('collab_documents').select('state').where('name', '=', documentName('code', id)).executeTakeFirst();
    const rows = await database.db.selectFrom('collab_updates').select('update').where('document', '=', documentName('code', id)).where('created_at', '>', sql<Date>`now() - interval '1 day'`).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(stored).toBeDefined();
    const fresh = await client(id, { cookie: secondCookie }).open(documentName('code', id));
    expect(fresh.readOnly).toBe(true);
    expect(fresh.doc.getText('code').toString()).toBe(before);
    void candidatePad;

    // The link opens nothing any more, socket included.
    await expect(client(id, { linkToken: token }).open(documentName('ctrl', id))).rejects.toThrow('refused: link_invalid');
  });

  it('an expired link is refused by the socket', async () => {
    const { id, token } = await newInterview();
    await client(id, { linkToken: token }).open(documentName('ctrl', id));
    const saved = clock.now();
    clock.advance(4 * 3600_000); // the link dies 2 h after the planned end (starts in 1 h, lasts 1 h)
    try {
      await expect(client(id, { linkToken: token }).open(documentName('ctrl', id))).rejects.toThrow('refused: link_invalid');
    } finally {
      clock.set(saved);
    }
  });

  it('a new candidate link disconnects the candidate on the old one', async () => {
    const { id, token } = await newInterview();
    const candidate = client(id, { linkToken: token });
    await candidate.open(documentName('ctrl', id));
    const fresh = await replaceRoomLink(database.db, id);
    expect(fresh).toBeDefined();
    await eventually(() => candidate.closes.some((c) => c.code === 4403), 'the old link socket is closed');
    await expect(client(id, { linkToken: token }).open(documentName('ctrl', id))).rejects.toThrow('refused: link_invalid');
    expect((await client(id, { linkToken: fresh! }).open(documentName('ctrl', id))).readOnly).toBe(true);
  });
});

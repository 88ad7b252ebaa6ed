/**
 * Several Pairview processes serving the same rooms (REDIS_URL, @hocuspocus/extension-redis): two room servers on
 * one database, each with its own pool and its own Redis connections as two processes would have, clients on
 * each. Needs the Redis on 127.0.0.1:6379. Document names carry the interview's random id, so runs sharing that
 * Redis (the extension's default key prefix) never meet.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/pool.ts';
import { ManualClock, createMigratedDatabase, createPerson, sessionCookie, testConfig, type MigratedTestDatabase } from '../../../test/helpers.ts';
import { eventually, roomClient, roomStateIn, startRoomServer, type RoomClient, type RoomServer } from '../../../test/rooms.ts';
import type { MemberPrincipal } from '../../auth/principal.ts';
import { createInterview } from '../../interviews/service.ts';
import { documentName } from './names.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

let database: MigratedTestDatabase;
/** Server B's own pool, as a second process would have. */
let secondPool: DatabaseHandle;
let serverA: RoomServer;
let serverB: RoomServer;
const clock = new ManualClock('2030-01-07T02:00:00.000Z');
const clients: RoomClient[] = [];
let recruiter: MemberPrincipal;
let interviewerId: string;
let interviewerCookie: string;

beforeAll(async () => {
  database = await createMigratedDatabase('pv_collab_redis');
  secondPool = openDatabase(database.url, { max: 5 });
  const config = testConfig({ REDIS_URL });
  serverA = await startRoomServer(database, { clock, config });
  serverB = await startRoomServer({ ...database, db: secondPool.db, pool: secondPool.pool }, { clock, config });
  const recruiterRow = await createPerson(database.db, { name: 'Recruiter', roles: ['recruiter'] });
  recruiter = { kind: 'member', person: recruiterRow, roles: new Set(['recruiter', 'interviewer']) };
  const interviewer = await createPerson(database.db, { name: '陈杰' });
  interviewerId = interviewer.id;
  interviewerCookie = await sessionCookie(serverA.app, database.db, interviewer.id, clock);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await serverA?.close();
  await serverB?.close();
  await secondPool?.close();
  await database?.drop();
});

async function startedInterview(): Promise<{ id: string; token: string }> {
  const { interviewId, candidateLinkToken } = await createInterview({ db: database.db, clock }, recruiter, {
    candidate: { name: '王芳' },
    position: 'Backend engineer',
    startsAt: new Date(clock.now().getTime() + 3600_000),
    durationMinutes: 60,
    interviewerIds: [interviewerId],
  });
  const response = await serverA.app.inject({ method: 'POST', url: `/api/interviews/${interviewId}/room/start`, headers: { cookie: interviewerCookie } });
  expect(response.statusCode, response.body).toBe(200);
  return { id: interviewId, token: candidateLinkToken };
}

function client(server: RoomServer, interviewId: string, who: { cookie: string } | { linkToken: string }): RoomClient {
  const c = roomClient(server, interviewId, who);
  clients.push(c);
  return c;
}

/** Every Yjs item (client, clock) inserted by the logged updates of `name`, counting repeats. */
async function loggedItems(name: string): Promise<{ items: Map<string, number>; authors: string[] }> {
  const rows = await database.db.selectFrom('collab_updates').select(['update', 'author_kind', 'author_name']).where('document', '=', name).orderBy('id').execute();
  const items = new Map<string, number>();
  for (const row of rows) {
    for (const struct of Y.decodeUpdate(new Uint8Array(row.update)).structs) {
      for (let i = 0; i < struct.length; i++) {
        const key = `${struct.id.client}:${struct.id.clock + i}`;
        items.set(key, (items.get(key) ?? 0) + 1);
      }
    }
  }
  return { items, authors: rows.map((r) => `${r.author_kind}:${r.author_name}`) };
}

describe('two processes sharing rooms through Redis', () => {
  it('edits on either server reach the other, and each edit is logged once, by the server that received it', async () => {
    const { id, token } = await startedInterview();
    const name = documentName('code', id);
    const onA = await client(serverA, id, { cookie: interviewerCookie }).open(name);
    const onB = await client(serverB, id, { linkToken: token }).open(name);
    // The pad was seeded once, by whichever server loaded it first, and B got the same starter code.
    const starter = onA.doc.getText('code').toString();
    expect(starter).not.toBe('');
    expect(onB.doc.getText('code').toString()).toBe(starter);

    const typed = { a: 0, b: 0 };
    for (let i = 0; i < 5; i++) {
      const fromA = `// A${i}\n`;
      onA.doc.getText('code').insert(0, fromA);
      typed.a += fromA.length;
      await eventually(() => onB.doc.getText('code').toString().includes(fromA), `B sees A's edit ${i}`);
      const fromB = `// B${i}\n`;
      onB.doc.getText('code').insert(onB.doc.getText('code').length, fromB);
      typed.b += fromB.length;
      await eventually(() => onA.doc.getText('code').toString().includes(fromB), `A sees B's edit ${i}`);
    }
    expect(onA.doc.getText('code').toString()).toBe(onB.doc.getText('code').toString());

    // Each character typed is in the log once: no row for what Redis relayed to the other process.
    const seedLength = starter.length;
    await eventually(async () => (await loggedItems(name)).items.size === seedLength + typed.a + typed.b, 'every edit logged', 5000);
    await new Promise((resolve) => setTimeout(resolve, 600)); // two more flushes: a duplicate would have landed
    const { items, authors } = await loggedItems(name);
    expect(items.size).toBe(seedLength + typed.a + typed.b);
    expect([...items.values()].filter((n) => n !== 1)).toEqual([]);
    expect(authors.filter((a) => a.startsWith('system:'))).toHaveLength(1);
    // One row per edit on each side, each with the author of the socket it came from.
    expect(authors.filter((a) => a === 'member:陈杰')).toHaveLength(5);
    expect(authors.filter((a) => a === 'candidate:王芳')).toHaveLength(5);
  });

  it('ending the room on server A closes the candidate socket held by server B and locks the pad there', async () => {
    const { id, token } = await startedInterview();
    const candidate = client(serverB, id, { linkToken: token });
    const candidatePad = await candidate.open(documentName('code', id));
    const candidateCtrl = await candidate.open(documentName('ctrl', id));
    expect(roomStateIn(candidateCtrl.doc)?.phase).toBe('live');
    const member = client(serverB, id, { cookie: interviewerCookie });
    const memberPad = await member.open(documentName('code', id));
    await eventually(() => memberPad.doc.getText('code').toString() === candidatePad.doc.getText('code').toString(), 'both synced');

    clock.advance(2 * 3600_000);
    const end = await serverA.app.inject({ method: 'POST', url: `/api/interviews/${id}/end`, headers: { cookie: interviewerCookie } });
    expect(end.statusCode, end.body).toBe(200);
    await eventually(() => candidate.closes.some((c) => c.code === 4403), 'the candidate socket on B is closed with 4403');

    // B made the member's connection read-only too: an edit there stays local and is not logged.
    await eventually(
      () => serverB.collab.hocuspocus.documents.get(documentName('code', id))?.getConnections().every((c) => c.readOnly) ?? false,
      'the pad on B is locked',
    );
    const before = (await loggedItems(documentName('code', id))).items.size;
    memberPad.doc.getText('code').insert(0, 'after the end\n');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await loggedItems(documentName('code', id))).items.size).toBe(before);
  });
});

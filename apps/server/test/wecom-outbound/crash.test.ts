/**
 * The crash test (issue 4): 500 queued messages, a worker process killed with SIGKILL in the middle of sending
 * them, a new worker process started: every message reaches its member exactly once.
 *
 * What makes it hold: each outbox row's job is taken back after the crash (notifications/worker-recovery.ts frees
 * a dead worker's locks within seconds), a recipient already settled is skipped (wecom_deliveries), and a send
 * whose answer never came is resent with the same body under WeCom's duplicate check, which drops the repeat
 * (the emulator records it as dropped, reason `duplicate`). 50 members × 10 messages stays inside every
 * member's 30/min quota.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { afterEach, expect, it } from 'vitest';
import { enqueueNotification } from '../../src/notifications/outbox.ts';
import { createMigratedDatabase, type MigratedTestDatabase } from '../helpers.ts';

const MEMBERS = 50;
const PER_MEMBER = 10;
const TOTAL = MEMBERS * PER_MEMBER;
const workerScript = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));

let database: MigratedTestDatabase | undefined;
let emu: Emulator | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  await emu?.close();
  await database?.drop();
});

function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerScript], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready: ${stderr}`)));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('kill -9 a worker in the middle of 500 messages, start another: each message is delivered exactly once', { timeout: 90_000 }, async () => {
  database = await createMigratedDatabase('pv_crash');
  const userids = Array.from({ length: MEMBERS }, (_, i) => `member${String(i).padStart(2, '0')}`);
  emu = await startEmulator({
    port: 0,
    directory: {
      departments: [{ id: 1, name: '派维科技', parentid: 0, order: 0 }],
      users: userids.map((userid) => ({ userid, name: userid, department: [1], status: 1 })),
    },
  });
  emu.control.setLatency(15); // sends take time, so the kill lands while some are in flight

  const people = await database.db
    .insertInto('people')
    .values(userids.map((userid) => ({ wecom_userid: userid, name: userid })))
    .returning(['id', 'wecom_userid'])
    .execute();
  await database.db.transaction().execute(async (tx) => {
    for (let round = 0; round < PER_MEMBER; round++) {
      for (const person of people) await enqueueNotification(tx, { kind: 'bot_reply', command: 'help', recipients: [person.id] });
    }
  });

  const env = {
    DATABASE_URL: database.url,
    WECOM_API: emu.url,
    WECOM_CORP_ID: emu.corpId,
    WECOM_AGENT_ID: String(emu.agentId),
    WECOM_SECRET: emu.secret,
  };
  const delivered = () => emu!.control.messages().filter((m) => m.status === 'delivered').length;

  const first = await startWorkerProcess(env);
  await until('the first worker to deliver 30% of the messages', () => delivered() >= TOTAL * 0.3, 30_000);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const deliveredAtKill = delivered();
  expect(deliveredAtKill).toBeLessThan(TOTAL);
  const stuck = await database.db.selectFrom('outbox').select('id').where('status', '=', 'sending').execute();

  await startWorkerProcess(env);
  await until(
    'every outbox row to be sent',
    async () => (await database!.db.selectFrom('outbox').select('id').where('status', '<>', 'sent').execute()).length === 0,
    60_000,
  );

  const items = emu.control.messages();
  for (const userid of userids) {
    const mine = items.filter((m) => m.userid === userid && m.status === 'delivered');
    expect(mine, userid).toHaveLength(PER_MEMBER);
    // Ten different messages (each carries its outbox id), not one message twice.
    expect(new Set(mine.map((m) => JSON.stringify(m.content))).size, userid).toBe(PER_MEMBER);
  }
  expect(items.filter((m) => m.status === 'delivered')).toHaveLength(TOTAL);
  const dropped = items.filter((m) => m.status === 'dropped');
  expect(dropped.every((m) => m.dropReason === 'duplicate')).toBe(true);
  console.info(
    `crash test: ${deliveredAtKill}/${TOTAL} delivered when the worker was killed, ${stuck.length} rows were mid-send, ` +
      `${dropped.length} resends dropped by the duplicate check, ${TOTAL} delivered in the end`,
  );
});

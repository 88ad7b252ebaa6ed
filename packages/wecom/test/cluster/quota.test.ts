/**
 * Issue 10, "two processes share one quota": three Node processes call one API of one corp at once, their quotas
 * in PostgreSQL; the emulator, enforcing the per-API limit as WeCom does (45009 and a block), is the witness. The
 * quota and the emulator's windows are scaled down (a "minute" of 600 ms) so the test takes seconds; it asserts
 * what WeCom saw, never how long anything took. The control case — the same processes with a quota each in its
 * own memory — meets 45009, which is what sharing prevents.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/postgres.ts';

const PROCESSES = 3;
const CALLS_PER_PROCESS = 60;
/** 40 calls per 600 ms for the corp: WeCom's 10,000/min, made small and fast. */
const LIMIT = 40;
const SCALE = 0.01;
/**
 * The limiter's margin (time from taking a unit to WeCom counting the call) is 1 s in production; scaled, it is
 * 300 ms here, because the emulator shares this test's event loop with the other test files running on the machine.
 */
const RULES = {
  api: { scope: 'corp', lease: 4, windows: [{ limit: LIMIT, windowMs: 60_000 * SCALE, kind: 'smooth', burst: 4, marginMs: 300 }] },
};

let db: TestDatabase;
let emu: Emulator;
beforeAll(async () => {
  db = await createTestDatabase('wecom_quota_cluster');
  emu = await startEmulator({ port: 0, limits: { apiPerMinute: LIMIT, quotaTimeScale: SCALE } });
});
afterAll(async () => {
  await emu?.close();
  await db?.drop();
});
beforeEach(() => emu.control.reset());

function start(store: 'postgres' | 'memory'): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./quota-worker.ts', import.meta.url)), {
    env: {
      ...process.env,
      WECOM_CORP_ID: emu.corpId,
      WECOM_AGENT_ID: String(emu.agentId),
      WECOM_SECRET: emu.secret,
      WECOM_API_BASE: emu.url,
      DATABASE_URL: db.url,
      QUOTA_STORE: store,
      QUOTA_RULES: JSON.stringify(RULES),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`quota worker exited (${code}) before it was ready`)));
  });
}

async function burst(store: 'postgres' | 'memory') {
  const children = await Promise.all(Array.from({ length: PROCESSES }, () => start(store)));
  try {
    const reports = await Promise.all(
      children.map(
        (child) =>
          new Promise<{ ok: number; errcodes: Record<string, number> }>((resolve) => {
            child.once('message', (m) => resolve(m as { ok: number; errcodes: Record<string, number> }));
            child.send({ cmd: 'burst', n: CALLS_PER_PROCESS });
          }),
      ),
    );
    return { reports, calls: emu.control.calls({ path: '/cgi-bin/user/get' }), stats: emu.control.stats() };
  } finally {
    for (const child of children) child.send({ cmd: 'exit' });
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)))));
  }
}

describe('one quota for several processes (PostgreSQL)', () => {
  it(`${PROCESSES} processes × ${CALLS_PER_PROCESS} calls at once, ${LIMIT} allowed per window: every call goes through, WeCom refuses none`, { timeout: 60_000 }, async () => {
    const { reports, calls, stats } = await burst('postgres');
    expect(reports.map((r) => r.ok)).toEqual(Array(PROCESSES).fill(CALLS_PER_PROCESS));
    expect(calls).toHaveLength(PROCESSES * CALLS_PER_PROCESS);
    expect(calls.every((c) => c.errcode === 0)).toBe(true);
    expect(stats.errcodes['45009']).toBeUndefined();
  });

  it('the control case: the same processes, each with its quota in its own memory, meet 45009', { timeout: 60_000 }, async () => {
    const { reports, stats } = await burst('memory');
    expect(stats.errcodes['45009']).toBeGreaterThan(0);
    expect(reports.reduce((n, r) => n + (r.errcodes['45009'] ?? 0), 0)).toBeGreaterThan(0);
  });
});

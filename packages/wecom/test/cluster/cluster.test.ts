/**
 * The cluster test (issue 2, "How we will know"): three Node processes share one app's token through
 * PostgreSQL and talk to the WeCom emulator; the emulator's call log is the witness.
 *
 * - 3 processes × 50 concurrent sends on an expired token → exactly 1 gettoken;
 * - WeCom expires the token early (the processes still think it fresh) → exactly 1 gettoken;
 * - an injected 40014 (every token revoked) → exactly 1 refresh across all processes;
 * - a stale token written after a newer one never replaces it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadDemoDirectory, startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/postgres.ts';
import { PostgresTokenStore } from '../../src/token/postgres-store.ts';
import type { CredentialKey, StoredCredential } from '../../src/token/store.ts';

const PROCESSES = 3;
const SENDS_PER_PROCESS = 50;

interface SendReport {
  ok: number;
  errors: string[];
  refreshes: number;
  invalidations: number;
  deleted: number;
  tokenRetries: number;
}

/** A child process running worker.ts, spoken to over IPC. */
class Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  stderr = '';
  #seq = 0;
  readonly #pending = new Map<number, (message: unknown) => void>();

  constructor(env: Record<string, string>) {
    this.child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready:\n${this.stderr}`)));
      this.child.on('message', (message: { ready?: boolean; id?: number }) => {
        if (message.ready) resolve();
        else if (message.id !== undefined) this.#pending.get(message.id)?.(message);
      });
    });
  }

  request<T>(command: object): Promise<T> {
    const id = ++this.#seq;
    return new Promise<T>((resolve) => {
      this.#pending.set(id, (message) => {
        this.#pending.delete(id);
        resolve(message as T);
      });
      this.child.send({ id, ...command });
    });
  }

  send(users: string[], tag: string): Promise<SendReport> {
    return this.request<SendReport>({ cmd: 'send', users, tag });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.request({ cmd: 'exit' });
    await exited;
  }
}

let emu: Emulator;
let db: TestDatabase;
let workers: Worker[] = [];
let users: string[];
let key: CredentialKey;
let store: PostgresTokenStore;

const envFor = () => ({
  WECOM_CORP_ID: emu.corpId,
  WECOM_AGENT_ID: String(emu.agentId),
  WECOM_SECRET: emu.secret,
  WECOM_API_BASE: emu.url,
  DATABASE_URL: db.url,
});

/** 50 sends spread over the demo members (well under 30/min each, so no quota waits or silent drops). */
const batch = (offset: number) => Array.from({ length: SENDS_PER_PROCESS }, (_, i) => users[(offset + i) % users.length]!);

/** Every process sends its batch at the same moment; returns their reports and what the emulator saw meanwhile. */
async function allSend(tag: string) {
  const since = emu.control.calls().at(-1)?.seq ?? 0;
  const reports = await Promise.all(workers.map((w, p) => w.send(batch(p * 7), `${tag} p${p}`)));
  const calls = emu.control.calls({ since });
  return {
    reports,
    gettokens: calls.filter((c) => c.path === '/cgi-bin/gettoken').length,
    sent: calls.filter((c) => c.path === '/cgi-bin/message/send' && c.errcode === 0).length,
    tokenErrors: calls.filter((c) => c.path === '/cgi-bin/message/send' && (c.errcode === 40014 || c.errcode === 42001)).length,
  };
}

function expectAllDelivered(result: Awaited<ReturnType<typeof allSend>>) {
  for (const report of result.reports) {
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(SENDS_PER_PROCESS);
  }
  expect(result.sent).toBe(PROCESSES * SENDS_PER_PROCESS);
}

beforeAll(async () => {
  [emu, db] = await Promise.all([startEmulator({ port: 0 }), createTestDatabase('wecom_cluster')]);
  users = loadDemoDirectory().users.map((u) => u.userid);
  key = { corpId: emu.corpId, agentId: emu.agentId, kind: 'access_token' };
  store = new PostgresTokenStore({ connectionString: db.url });
  await store.ensureSchema();
  workers = Array.from({ length: PROCESSES }, () => new Worker(envFor()));
  await Promise.all(workers.map((w) => w.ready));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop().catch(() => w.child.kill())));
  await store?.close();
  await emu?.close();
  await db?.drop();
});

describe('cluster: 3 processes sharing one token through PostgreSQL', () => {
  it('3 × 50 concurrent sends on an expired token → exactly 1 gettoken', async () => {
    // A token fetched long ago, expired for WeCom and for the store alike.
    const old = await (await fetch(`${emu.url}/cgi-bin/gettoken?corpid=${emu.corpId}&corpsecret=${emu.secret}`)).json();
    const fetchedAt = Date.now() - 7_300_000;
    await store.set(key, { value: old.access_token, fetchedAt, expiresAt: fetchedAt + 7_200_000 });
    emu.control.advanceClock(7_300);

    const result = await allSend('expired');
    expectAllDelivered(result);
    expect(result.gettokens).toBe(1);
    expect(result.reports.reduce((n, r) => n + r.refreshes, 0)).toBe(1);
    expect(result.tokenErrors).toBe(0);
  });

  it('WeCom expires the token while the processes think it fresh (42001) → exactly 1 gettoken', async () => {
    emu.control.advanceClock(7_300);
    const result = await allSend('expired at WeCom');
    expectAllDelivered(result);
    expect(result.tokenErrors).toBeGreaterThan(0);
    expect(result.gettokens).toBe(1);
    expect(result.reports.reduce((n, r) => n + r.refreshes, 0)).toBe(1);
    // Compare-and-delete: however many calls failed, the shared token was deleted once.
    expect(result.reports.reduce((n, r) => n + r.deleted, 0)).toBe(1);
  });

  it('an injected 40014 (all tokens revoked) → exactly 1 refresh across all processes', async () => {
    emu.control.revokeTokens();
    const result = await allSend('revoked');
    expectAllDelivered(result);
    expect(result.tokenErrors).toBeGreaterThan(0);
    expect(result.gettokens).toBe(1);
    expect(result.reports.reduce((n, r) => n + r.refreshes, 0)).toBe(1);
    // Each failed call was retried once, no more.
    expect(result.reports.reduce((n, r) => n + r.tokenRetries, 0)).toBe(result.tokenErrors);
  });

  it('a stale token written by another process never replaces the newer one', async () => {
    const current = (await store.get(key))!;
    const stale: StoredCredential = { value: 'stale-token-from-a-slow-process', fetchedAt: current.fetchedAt - 60_000, expiresAt: current.fetchedAt + 7_000_000 };
    await workers[1]!.request({ cmd: 'set', credential: stale });
    expect((await store.get(key))?.value).toBe(current.value);

    // A process that starts now reads the token from the store: it must get the newer one and never call gettoken.
    const late = new Worker(envFor());
    workers.push(late);
    await late.ready;
    const since = emu.control.calls().at(-1)!.seq;
    const report = await late.send(batch(3), 'late starter');
    expect(report).toMatchObject({ ok: SENDS_PER_PROCESS, errors: [], refreshes: 0, invalidations: 0 });
    const calls = emu.control.calls({ since });
    expect(calls.filter((c) => c.path === '/cgi-bin/gettoken')).toHaveLength(0);
    expect(calls.filter((c) => c.errcode !== 0)).toHaveLength(0);
  });

  it('no process printed a token or the secret', async () => {
    const token = (await store.get(key))!.value;
    for (const w of workers) {
      expect(w.stderr).not.toContain(token);
      expect(w.stderr).not.toContain(emu.secret);
    }
  });
});

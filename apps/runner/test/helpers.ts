// Starts the real runner (its real sandbox) for a test file, with limits a test may raise up to 10 s.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPistonClient, startRunner } from '../src/index.ts';
import type { ExecuteRequest, ExecuteResponse, PistonClient, RunnerHandle, RunnerOptions } from '../src/index.ts';

export interface TestRunner {
  runner: RunnerHandle;
  client: PistonClient;
  execute(request: Partial<ExecuteRequest> & { language: string }, code?: string): Promise<ExecuteResponse>;
  close(): Promise<void>;
  log: string[];
}

export async function startTestRunner(options: RunnerOptions & { withCache?: boolean } = {}): Promise<TestRunner> {
  const log: string[] = [];
  const cacheDir = options.withCache ? await mkdtemp(path.join(os.tmpdir(), 'runner-cache-')) : null;
  const runner = await startRunner({
    port: 0,
    cacheDir,
    log: (line) => log.push(line),
    ...options,
    limits: { runTimeoutMs: 10_000, runCpuTimeMs: 10_000, compileTimeoutMs: 30_000, compileCpuTimeMs: 30_000, ...options.limits },
  });
  const client = createPistonClient(runner.url, { timeoutMs: 120_000 });
  return {
    runner,
    client,
    log,
    execute: (request, code) => client.execute({ version: '*', files: code === undefined ? [] : [{ content: code }], ...request }),
    async close() {
      await runner.close();
      if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

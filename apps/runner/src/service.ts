// The embedded runner: probe the machine, then serve Piston's API. Pairview starts it in-process (startRunner) or
// as a child (`npm run runner`); probeSandbox answers "what would run here, and what is missing" without serving.
import type { AddressInfo } from 'node:net';
import { resolveOptions } from './config.ts';
import { buildApp } from './http/app.ts';
import { createScheduler } from './jobs/scheduler.ts';
import { prepareSandbox } from './sandbox/prepare.ts';
import type { RunnerHandle, RunnerOptions, SandboxReport } from './types.ts';

export async function startRunner(options: RunnerOptions = {}): Promise<RunnerHandle> {
  const o = resolveOptions(options);
  const prepared = await prepareSandbox(o);
  const scheduler = createScheduler(o.maxConcurrentJobs, o.maxQueuedJobs);
  const shutdown = new AbortController();
  const app = buildApp({ registry: prepared.registry, env: prepared.env, scheduler, report: prepared.report, shutdown: shutdown.signal, log: o.log });
  try {
    await app.listen({ port: o.port, host: o.host });
  } catch (error) {
    await prepared.dispose();
    throw new Error(`the runner cannot listen on ${o.host}:${o.port}: ${(error as Error).message} (set RUNNER_PORT)`);
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    report: prepared.report,
    close() {
      closing ??= (async () => {
        scheduler.close();
        shutdown.abort();
        await app.close();
        // Jobs end in their finally (unmount, uid) once killed; wait for them before removing the instance.
        for (let i = 0; i < 200 && scheduler.stats().running > 0; i++) await new Promise((r) => setTimeout(r, 25));
        await prepared.dispose();
      })();
      return closing;
    },
  };
}

/**
 * Checks this machine without serving: bubblewrap, the cgroup mode, seccomp, and each language (found and run
 * inside the sandbox), with the reason and fix for whatever is missing. Takes about a second.
 */
export async function probeSandbox(options: Pick<RunnerOptions, 'stateDir' | 'uidBase' | 'uidCount' | 'log' | 'bwrapPath'> = {}): Promise<SandboxReport> {
  const o = resolveOptions({ ...options, cacheDir: null });
  const prepared = await prepareSandbox(o);
  await prepared.dispose();
  return prepared.report;
}

// The embedded runner: probe the machine, then serve Piston's API. Pairview starts it in-process (startRunner) or
// as a child (`npm run runner`); probeSandbox answers "what would run here, and what is missing" without serving.
import type { AddressInfo } from 'node:net';
import { resolveOptions } from './config.ts';
import { buildApp } from './http/app.ts';
import { createScheduler } from './jobs/scheduler.ts';
import { ensureCxxPch } from './languages/cxx-pch.ts';
import { prepareSandbox } from './sandbox/prepare.ts';
import { bindIntoInstance } from './sandbox/state.ts';
import type { RunnerHandle, RunnerOptions, SandboxReport } from './types.ts';

export async function startRunner(options: RunnerOptions = {}): Promise<RunnerHandle> {
  const o = resolveOptions(options);
  const prepared = await prepareSandbox(o);
  const scheduler = createScheduler(o.maxConcurrentJobs, o.maxQueuedJobs);
  const shutdown = new AbortController();
  // The C++ precompiled header is built in the background (seconds of CPU, once per machine); C++ compiles use it
  // from the moment it is there.
  const pch = { state: 'off' as 'off' | 'building' | 'ready' | 'failed' };
  let pchBuild: Promise<void> = Promise.resolve();
  const env = prepared.env;
  if (env && o.cacheDir && o.cxxPrecompiledHeader && prepared.registry.entries.some((e) => e.def.language === 'c++')) {
    pch.state = 'building';
    pchBuild = ensureCxxPch(o.cacheDir, o.log, shutdown.signal)
      .then(async (dir) => {
        if (!dir || shutdown.signal.aborted) {
          pch.state = 'failed';
          return;
        }
        env.sandbox.pchDir = await bindIntoInstance(env.instance, 'pch', dir);
        pch.state = 'ready';
      })
      .catch((error: Error) => {
        pch.state = 'failed';
        o.log(`runner: C++ precompiled header: ${error.message}`);
      });
  }
  const app = buildApp({
    registry: prepared.registry,
    env,
    scheduler,
    report: prepared.report,
    status: () => ({ cxxPrecompiledHeader: pch.state }),
    shutdown: shutdown.signal,
    log: o.log,
  });
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
        shutdown.abort(); // kills running jobs and a precompiled-header build
        await app.close();
        // Jobs end in their finally (unmount, uid) once killed; wait for them before removing the instance.
        for (let i = 0; i < 200 && scheduler.stats().running > 0; i++) await new Promise((r) => setTimeout(r, 25));
        await pchBuild;
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
  const o = resolveOptions({ ...options, cacheDir: null, cxxPrecompiledHeader: false });
  const prepared = await prepareSandbox(o);
  await prepared.dispose();
  return prepared.report;
}

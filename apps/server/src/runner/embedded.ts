/**
 * Which code runner this process uses, from the configuration: one at PAIRVIEW_RUNNER_URL, our own started here
 * (apps/runner, in this process, on a free port of 127.0.0.1) when bubblewrap works on this machine, or none. Says
 * at start which languages run on the server and, for those that do not, why and how to fix it.
 */
import { startRunner, type RunnerHandle, type SandboxReport } from '@pairview/runner';
import type { Config } from '../config.ts';
import { createCodeRunner, type CodeRunner } from './service.ts';

export interface ServerRunner {
  runner: CodeRunner | undefined;
  /** Stops the embedded runner (kills running jobs); nothing for a runner elsewhere. */
  close(): Promise<void>;
}

interface Say {
  info(message: string): void;
  warn(message: string): void;
}

export async function startServerRunner(config: Config, say: Say): Promise<ServerRunner> {
  const choice = config.runner;
  if (choice.kind === 'off') {
    say.info('code runner: off (PAIRVIEW_RUNNER=off): the room runs JavaScript, TypeScript, Python and SQL in the browser only');
    return { runner: undefined, close: async () => {} };
  }
  if (choice.kind === 'url') {
    const runner = createCodeRunner({ baseUrl: choice.url.toString(), maxInFlight: config.runnerConcurrency });
    const languages = await runner.languages();
    if (languages.length === 0) say.warn(`code runner at ${choice.url.host} (PAIRVIEW_RUNNER_URL) did not answer or runs none of the room's languages yet`);
    else say.info(`code runner at ${choice.url.host} (PAIRVIEW_RUNNER_URL): runs ${languages.join(', ')}`);
    return { runner, close: async () => {} };
  }

  let handle: RunnerHandle;
  try {
    handle = await startRunner({ port: 0, host: '127.0.0.1', maxConcurrentJobs: config.runnerConcurrency });
  } catch (error) {
    say.warn(`code runner not started (${error instanceof Error ? error.message : String(error)}): Java, C++, Go, … do not run; the browser still runs JavaScript, TypeScript, Python and SQL`);
    return { runner: undefined, close: async () => {} };
  }
  if (!handle.report.ok) {
    await handle.close();
    say.warn(`code runner not started: ${sandboxProblems(handle.report)}; the browser still runs JavaScript, TypeScript, Python and SQL`);
    return { runner: undefined, close: async () => {} };
  }
  for (const line of describe(handle.report)) say.info(line);
  return { runner: createCodeRunner({ baseUrl: handle.url, maxInFlight: config.runnerConcurrency }), close: () => handle.close() };
}

function sandboxProblems(report: SandboxReport): string {
  const { bubblewrap } = report;
  if (!bubblewrap.available) return [bubblewrap.reason ?? 'bubblewrap does not work here', bubblewrap.fix].filter(Boolean).join(': ');
  return report.problems.join('; ') || 'the sandbox did not start';
}

/** "code runner: runs …" and one line per language that does not run, with its fix. */
function describe(report: SandboxReport): string[] {
  const running = report.languages.filter((l) => l.available).map((l) => `${l.language} ${l.version ?? ''}`.trim());
  const missing = report.languages.filter((l) => !l.available);
  const limits = report.cgroups.degraded ? `limits by rlimits only (${report.cgroups.detail})` : `limits by cgroup ${report.cgroups.mode} (${report.cgroups.controllers.join(', ')})`;
  return [
    `code runner: in this process, sandboxed by bubblewrap${report.bubblewrap.version ? ` ${report.bubblewrap.version}` : ''}, ${limits}; runs ${running.join(', ') || 'nothing'}`,
    ...missing.map((l) => `code runner: ${l.language} does not run: ${l.reason ?? 'not found'}${l.fix ? ` (${l.fix})` : ''}`),
  ];
}

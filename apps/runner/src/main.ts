// `npm run runner`: the runner alone, configured by RUNNER_* variables (RUNNER_PORT default 2000, RUNNER_HOST
// default 127.0.0.1). Prints what runs here and what does not, then serves until SIGINT/SIGTERM.
import { runnerOptionsFromEnv } from './config.ts';
import { startRunner } from './service.ts';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

try {
  const runner = await startRunner({ ...runnerOptionsFromEnv(), log });
  const { report } = runner;
  log(`runner: listening on ${runner.url} (Piston v2 API)`);
  log(`runner: sandbox ${report.ok ? 'ok' : 'NOT AVAILABLE'}; bubblewrap ${report.bubblewrap.version ?? 'missing'}; limits by ${report.cgroups.mode === 'none' ? 'rlimits only (degraded)' : `cgroup ${report.cgroups.mode}`}; seccomp ${report.seccomp.enabled ? 'on' : 'off'}`);
  for (const l of report.languages) log(`runner:   ${l.available ? 'runs ' : 'NO   '} ${l.language}${l.version ? ` ${l.version}` : ''}${l.available ? '' : ` — ${l.reason}${l.fix ? `; fix: ${l.fix}` : ''}`}`);
  for (const p of report.problems) log(`runner: problem: ${p}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('runner: stopping');
    await runner.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  log(`runner: cannot start: ${(error as Error).message}`);
  process.exit(1);
}

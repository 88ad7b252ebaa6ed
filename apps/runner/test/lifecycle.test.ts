// A runner killed mid-job (kill -9) leaves its job's tmpfs mounted, its cgroups and its uid lock behind; the next
// runner to start sweeps them, and the killed job's sandbox died with it (bwrap --die-with-parent).
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mountsUnder, processesOfUids } from '../src/sandbox/host.ts';
import { startTestRunner } from './helpers.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.ts');
const STATE = '/run/pairview-runner';
// A uid range of its own, so the check "nothing left on these uids" is about this test only.
const UID_BASE = 1_910_000;

describe('a runner that was killed', () => {
  it('is cleaned up by the next one', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, RUNNER_PORT: '0', RUNNER_UID_BASE: String(UID_BASE), RUNNER_UID_COUNT: '16', RUNNER_CACHE_DIR: 'off', RUNNER_RUN_TIMEOUT: '10000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        const m = /listening on (http:\/\/\S+)/.exec(log);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`runner exited: ${log}`)));
    });
    const instance = `${child.pid}-`;
    try {
      // A job that would run for a while (compiled: its box is a host tmpfs); kill the runner under it.
      const job = fetch(`${url}/api/v2/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'c', version: '*', files: [{ content: '#include <unistd.h>\nint main(void) { sleep(8); return 0; }\n' }], run_timeout: 9000 }),
      }).catch(() => null);
      let mounted: string[] = [];
      for (let i = 0; i < 100 && mounted.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        mounted = (await mountsUnder(path.join(STATE, 'instances'))).filter((m) => m.includes(`/${instance}`) && m.includes('/boxes/'));
      }
      // Processes of the sandbox's uids, zombies excepted (they wait for init to reap them).
      const live = async () => (await processesOfUids((uid) => uid >= UID_BASE && uid < UID_BASE + 16)).filter((p) => p.state !== 'Z').map((p) => p.pid);
      expect(mounted.length).toBe(1);
      // Kill the runner once the program runs (its bwrap has set its parent-death signal).
      const program = async () => {
        for (const pid of await live()) {
          if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).startsWith('./a.out')) return true;
        }
        return false;
      };
      for (let i = 0; i < 200 && !(await program()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await program()).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await job;
      await exited;
      // Its sandbox died with it (bwrap --die-with-parent): nothing left running on its uids.
      for (let i = 0; i < 40 && (await live()).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await live()).toEqual([]);
      // What it left (its box still mounted, its state folder, a uid lock) is not asserted here: any runner that
      // starts on this machine meanwhile (another test file) sweeps it, which is the point.
      const locks = async () => {
        const out: string[] = [];
        for (const f of await readdir(path.join(STATE, 'uids'))) {
          if (Number(f) >= UID_BASE && Number(f) < UID_BASE + 16) out.push(f);
        }
        return out;
      };

      const next = await startTestRunner({ uidBase: UID_BASE, uidCount: 16 });
      try {
        expect((await mountsUnder(path.join(STATE, 'instances'))).filter((m) => m.includes(`/${instance}`))).toEqual([]);
        expect((await readdir(path.join(STATE, 'instances'))).filter((d) => d.startsWith(instance))).toEqual([]);
        expect(await locks()).toEqual([]);
        const hello = await next.execute({ language: 'bash' }, 'echo ok');
        expect(hello.run.stdout).toBe('ok\n');
      } finally {
        await next.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});

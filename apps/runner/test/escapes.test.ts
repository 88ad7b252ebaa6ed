// Escape attempts against the real sandbox. Each must be refused or contained, and afterwards the runner still
// answers and the host is unharmed (its processes alive, nothing of the sandbox's uids left running).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountsUnder, processesOfUids } from '../src/sandbox/host.ts';
import { stageOutcome } from '../src/index.ts';
import { startTestRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// A uid range of its own: the other test files' runners run at the same time on the default range.
const UID_BASE = 1_930_000;
const UID_COUNT = 64;
const ENV_CANARY = `env-canary-${randomBytes(8).toString('hex')}`;
const FILE_CANARY = `file-canary-${randomBytes(8).toString('hex')}`;
const canaryFile = path.join(REPO, `.env.runner-test-${randomBytes(4).toString('hex')}`);

let t: TestRunner;
const py = (code: string, extra: Record<string, unknown> = {}) => t.execute({ language: 'python', ...extra }, code);

/** Live processes of the sandbox uids (zombies excepted: bwrap's pid 1 waits a moment for the host's init to reap it). */
async function poolProcesses(): Promise<string[]> {
  const found = await processesOfUids((uid) => uid >= UID_BASE && uid < UID_BASE + UID_COUNT);
  return found.filter((p) => p.state !== 'Z').map((p) => `${p.pid} uid ${p.uid} (${p.state})`);
}

async function stillHealthy() {
  const hello = await py('print("still here")');
  expect(hello.run.stdout).toBe('still here\n');
  expect((await t.client.runtimes()).length).toBeGreaterThan(0);
}

beforeAll(async () => {
  // A secret in the runner's own environment and one in the project folder: neither may reach a sandbox.
  process.env.RUNNER_TEST_SECRET = ENV_CANARY;
  await writeFile(canaryFile, `SECRET=${FILE_CANARY}\n`, { mode: 0o644 });
  t = await startTestRunner({ uidBase: UID_BASE, uidCount: UID_COUNT });
}, 120_000);

afterAll(async () => {
  delete process.env.RUNNER_TEST_SECRET;
  await rm(canaryFile, { force: true });
  const instanceDir = t ? path.join('/run/pairview-runner/instances') : null;
  await t?.close();
  // Nothing of this runner left mounted.
  if (instanceDir) expect((await mountsUnder(instanceDir)).filter((m) => m.includes(`/${process.pid}-`))).toEqual([]);
});

describe('processes', () => {
  it('a fork bomb is capped by the process limit and killed at the time limit', async () => {
    // The shell returns at once; its children fork on until the sandbox's pid 1 ends the namespace.
    const result = await t.execute({ language: 'bash', run_timeout: 2000 }, ':(){ :|:& };:\nsleep 1\n');
    expect(result.run.wall_time).toBeLessThan(10_000); // ended by its own exit or the 2 s limit, never left running
    expect(await poolProcesses()).toEqual([]);
    // The cap itself: fork until it fails, and count.
    const counted = await py(
      'import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(30)\n            os._exit(0)\n        n += 1\nexcept OSError as e:\n    print(n, e.errno)\n',
      { run_timeout: 3000 },
    );
    const [forked, errno] = counted.run.stdout.trim().split(' ').map(Number);
    expect(forked).toBeGreaterThan(5);
    expect(forked).toBeLessThanOrEqual(64);
    expect(errno).toBe(11); // EAGAIN
    expect(await poolProcesses()).toEqual([]);
    await stillHealthy();
  }, 60_000);

  it('cannot kill a process outside the sandbox', async () => {
    const outside: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const result = await py(`import os, signal\nfor pid in (${outside.pid}, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n        print(pid, "sent")\n    except OSError as e:\n        print(pid, e.errno)\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))\n`);
      // The host pid does not exist in the sandbox's pid namespace; kill(-1) reaches only the sandbox itself.
      expect(result.run.stdout).toContain(`${outside.pid} 3\n`);
      expect(outside.exitCode).toBeNull();
      expect(outside.signalCode).toBeNull();
      expect(() => process.kill(outside.pid!, 0)).not.toThrow();
    } finally {
      outside.kill('SIGKILL');
    }
  });

  it('runs as an unprivileged uid with no capabilities, and the seccomp filter refuses namespace and mount calls', async () => {
    const result = await py(
      [
        'import ctypes, os',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'def call(nr, *args):',
        '    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])',
        '    return ctypes.get_errno() if r == -1 else 0',
        'print("uid", os.getuid(), os.geteuid())',
        'print("caps", [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])',
        'print("mount", call(165, 0, 0, 0, 0, 0))',
        'print("unshare", call(272, 0x10000000))',
        'print("ptrace", call(101, 0, 0, 0, 0))',
        'print("clone3", call(435, 0, 0))',
        'print("setns", call(308, 0, 0))',
      ].join('\n'),
    );
    const lines = Object.fromEntries(result.run.stdout.trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]));
    const [uid, euid] = lines.uid!.split(' ').map(Number);
    expect(uid).toBeGreaterThanOrEqual(UID_BASE);
    expect(euid).toBe(uid);
    expect(lines.caps).toBe('0000000000000000');
    expect(lines).toMatchObject({ mount: '1', unshare: '1', ptrace: '1', clone3: '38', setns: '1' });
    // A nested user namespace is refused too (bwrap --disable-userns and the filter).
    const nested = await t.execute({ language: 'bash' }, 'unshare -r id -u 2>&1; echo "rc=$?"\n');
    expect(nested.run.stdout).toMatch(/rc=[1-9]/);
  });
});

describe('limits', () => {
  it('a memory bomb is stopped at the memory limit', async () => {
    const result = await py('a = []\nwhile True:\n    a.append(bytearray(10 * 1024 * 1024))\n', { run_memory_limit: 64 * 1024 * 1024 });
    expect(result.run).toMatchObject({ status: 'SG', signal: 'SIGKILL', message: 'Memory limit exceeded' });
    expect(stageOutcome(result.run)).toBe('memory_limit');
    expect(result.run.memory).toBeGreaterThan(32 * 1024 * 1024);
    expect(result.run.memory).toBeLessThanOrEqual(64 * 1024 * 1024);
    const c = await t.execute({ language: 'c', run_memory_limit: 64 * 1024 * 1024 }, '#include <stdlib.h>\n#include <string.h>\nint main(void){ for(;;){ char *p = malloc(1<<24); if(!p) return 3; memset(p, 1, 1<<24);} }\n');
    expect(c.run.message).toBe('Memory limit exceeded');
    await stillHealthy();
  }, 60_000);

  it('a CPU loop ends at the CPU time limit', async () => {
    // A long wall-clock limit, so a loaded machine (the loop getting a fraction of a core) still meets the CPU one.
    const result = await py('while True:\n    pass\n', { run_cpu_time: 1000, run_timeout: 10_000 });
    expect(result.run).toMatchObject({ status: 'TO', message: 'Time limit exceeded', signal: 'SIGKILL', code: null });
    expect(stageOutcome(result.run)).toBe('time_limit');
    expect(result.run.cpu_time).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it('sleeping, or stopping itself with SIGSTOP, ends at the wall-clock limit', async () => {
    const sleeper = await py('import time\ntime.sleep(60)\n', { run_timeout: 1000 });
    expect(sleeper.run).toMatchObject({ status: 'TO', message: 'Time limit exceeded (wall clock)', signal: 'SIGKILL' });
    expect(stageOutcome(sleeper.run)).toBe('wall_time_limit');
    expect(sleeper.run.wall_time).toBeGreaterThanOrEqual(1000);
    expect(sleeper.run.wall_time).toBeLessThan(5000);
    const stopped = await py('import os, signal\nos.kill(0, signal.SIGSTOP)\n', { run_timeout: 1000 });
    expect(stopped.run.status).toBe('TO');
    expect(await poolProcesses()).toEqual([]);
  }, 30_000);

  it('100 MB of output is cut at the output limit, and says so', async () => {
    const result = await py('import sys\nfor _ in range(100):\n    sys.stdout.write("x" * 1_000_000)\n');
    expect(result.run).toMatchObject({ status: 'OL', message: 'stdout length exceeded', signal: 'SIGKILL' });
    expect(result.run.stdout.length).toBe(64 * 1024);
    expect(result.run.output).toContain('output truncated');
    expect(stageOutcome(result.run)).toBe('output_truncated');
    const err = await t.execute({ language: 'bash' }, 'yes "ошибка" >&2\n');
    expect(err.run).toMatchObject({ status: 'EL', message: 'stderr length exceeded' });
    // Cut on a character boundary, never half a character.
    expect(Buffer.byteLength(err.run.stderr)).toBeLessThanOrEqual(64 * 1024);
    expect(err.run.stderr).not.toContain('\uFFFD');
  }, 30_000);

  it('writing 1 GB to disk stops at the file size limit and the tmpfs sizes', async () => {
    const result = await py(
      [
        'import os',
        'chunk = b"x" * (1 << 20)',
        'for target in ("/box/big", "/tmp/big"):',
        '    n = 0',
        '    try:',
        '        with open(target, "wb") as f:',
        '            while n < 1024:',
        '                f.write(chunk); f.flush(); n += 1',
        '    except OSError as e:',
        '        print(target, n, e.errno)',
        '    os.remove(target)',
        // Many files below the file size limit: the tmpfs (64 MiB) is full first.
        'n = 0',
        'try:',
        '    while n < 1024:',
        '        with open(f"/box/part{n}", "wb") as f:',
        '            for _ in range(8): f.write(chunk)',
        '        n += 1',
        'except OSError as e:',
        '    print("parts", n, e.errno)',
      ].join('\n'),
      { run_timeout: 10_000 },
    );
    const lines = result.run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\/box\/big (9|10) 27$/); // EFBIG at the 10 MB file size limit
    expect(lines[1]).toMatch(/^\/tmp\/big (9|10) 27$/);
    const [, parts, errno] = lines[2]!.split(' ').map(Number);
    expect(errno).toBe(28); // ENOSPC
    expect(parts).toBeLessThanOrEqual(8);
    await stillHealthy();
  }, 30_000);
});

describe('isolation', () => {
  it('has no network: neither PostgreSQL on 127.0.0.1:5432 nor the runner itself', async () => {
    const runnerPort = Number(new URL(t.runner.url).port);
    // Both are reachable from the host, so a refusal inside means the sandbox, not a closed port.
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(runnerPort, '127.0.0.1', () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
    const result = await py(
      `import socket\nfor port in (5432, ${runnerPort}):\n    s = socket.socket()\n    s.settimeout(2)\n    try:\n        s.connect(("127.0.0.1", port))\n        print(port, "connected")\n    except OSError as e:\n        print(port, "refused", e.errno)\nimport os\nprint(sorted(os.listdir("/sys/class/net")) if os.path.exists("/sys/class/net") else "no-sys")\n`,
    );
    expect(result.run.stdout).not.toContain('connected');
    expect(result.run.stdout).toContain(`5432 refused`);
    expect(result.run.stdout).toContain(`${runnerPort} refused`);
  });

  it('cannot read /etc/shadow, the project folder, /root, /home, /usr/local or the PostgreSQL socket', async () => {
    const paths = ['/etc/shadow', '/etc/passwd', canaryFile, REPO, '/root', '/home', '/work', '/usr/local', '/usr/local/bin', '/var/run/postgresql', '/run/postgresql', '/run/pairview-runner'];
    const result = await py(`import os\nfor p in ${JSON.stringify(paths)}:\n    print(p, os.path.exists(p) and (os.listdir(p) if os.path.isdir(p) else "file"))\n`);
    for (const p of paths.filter((x) => x !== '/usr/local')) expect(result.run.stdout).toContain(`${p} False\n`);
    expect(result.run.stdout).toContain('/usr/local []\n'); // hidden by an empty read-only tmpfs
    expect(result.run.stdout + result.run.stderr).not.toContain(FILE_CANARY);
    // The canary really is on the host.
    expect(await readFile(canaryFile, 'utf8')).toContain(FILE_CANARY);
  });

  it('sees none of the runner’s environment variables, in its own environment or in /proc/1/environ', async () => {
    expect(process.env.RUNNER_TEST_SECRET).toBe(ENV_CANARY);
    const result = await t.execute(
      { language: 'bash' },
      'env; echo ---; for p in /proc/[0-9]*; do cat "$p/environ" 2>/dev/null | tr "\\0" "\\n"; done; echo ---; cat /proc/1/cmdline | tr "\\0" " "\n',
    );
    expect(result.run.status).toBeNull();
    expect(result.run.stdout).toContain('HOME=/tmp');
    expect(result.run.stdout).not.toContain(ENV_CANARY);
    expect(result.run.stdout).not.toContain('RUNNER_TEST_SECRET');
  });

  it('cannot see another run’s files or processes, at the same time or after', async () => {
    const secret = `run-secret-${randomBytes(6).toString('hex')}`;
    const writer = py(`import time\nopen("/box/secret.txt","w").write("${secret}")\nopen("/tmp/secret.txt","w").write("${secret}")\nopen("/dev/shm/secret.txt","w").write("${secret}")\ntime.sleep(2.5)\nprint("done")\n`, { run_timeout: 6000 });
    await new Promise((r) => setTimeout(r, 800));
    const reader = await t.execute(
      { language: 'bash' },
      `ls -a /box /tmp /dev/shm; grep -rl "${secret}" /box /tmp /dev/shm /proc/*/cwd 2>/dev/null; ls /proc | grep -E '^[0-9]+$' | wc -l\n`,
    );
    expect((await writer).run.stdout).toBe('done\n');
    expect(reader.run.stdout).not.toContain('secret.txt');
    expect(reader.run.stdout).not.toContain(secret);
    const after = await t.execute({ language: 'bash' }, 'ls -a /box /tmp /dev/shm\n');
    expect(after.run.stdout).not.toContain('secret.txt');
  }, 30_000);

  it('inherits no descriptor but its stdin, stdout and stderr', async () => {
    // The runner's own process may hold descriptors it inherited without close-on-exec (this machine's tools
    // pass one at fd 251); none may reach a sandbox.
    // (listdir's own descriptor is closed by the time readlink runs, so it drops out.)
    const result = await py('import os\nfds = []\nfor x in os.listdir("/proc/self/fd"):\n    try:\n        os.readlink(f"/proc/self/fd/{x}")\n        fds.append(int(x))\n    except OSError:\n        pass\nprint(sorted(fds))\n');
    expect(result.run.stdout).toBe('[0, 1, 2]\n');
    const compiled = await t.execute({ language: 'c' }, '#include <stdio.h>\n#include <fcntl.h>\nint main(void){ for (int i = 3; i < 1024; i++) if (fcntl(i, 1) >= 0) printf("%d\\n", i); return 0; }\n');
    expect(compiled.compile?.status).toBeNull();
    expect(compiled.run.stdout).toBe('');
  });

  it('cannot write outside /box, /tmp and /dev/shm', async () => {
    const result = await t.execute({ language: 'bash' }, 'for d in / /usr /usr/bin /etc /opt /usr/local /proc/sys/kernel; do touch "$d/x" 2>/dev/null && echo "$d writable" || echo "$d refused"; done\n');
    expect(result.run.stdout).not.toContain('writable');
  });
});

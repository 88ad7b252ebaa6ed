// Small host-side helpers: run a trusted host command (mount, umount, version probes) and look at /proc.
// Host commands always get a clean environment: nothing of the runner's own environment leaks into a child.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export const CLEAN_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

export interface HostCommandResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error?: string;
}

/** Runs a host command to its end (killed after timeoutMs). Never rejects: a spawn error is in `error`. */
export function runHost(file: string, args: string[], options: { timeoutMs?: number; input?: string; signal?: AbortSignal } = {}): Promise<HostCommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: HostCommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(file, args, { env: CLEAN_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    options.signal?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(0, 65536)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(0, 65536)));
    child.on('error', (error) => finish({ code: null, signal: null, stdout, stderr, error: error.message }));
    child.on('close', (code, signal) => finish({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface ProcessInfo {
  pid: number;
  uid: number;
  /** R, S, D, Z (zombie), T (stopped)… */
  state: string;
}

/** The processes whose real uid satisfies `match` (one pass over /proc/<pid>/status). */
export async function processesOfUids(match: (uid: number) => boolean): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return found;
  }
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        try {
          const status = await readFile(`/proc/${pid}/status`, 'utf8');
          const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
          if (match(uid)) found.push({ pid: Number(pid), uid, state: /^State:\s+(\S)/m.exec(status)?.[1] ?? '?' });
        } catch {
          // gone meanwhile
        }
      }),
  );
  return found;
}

/** Pids of the processes whose real uid is `uid`. */
export async function pidsOfUid(uid: number): Promise<number[]> {
  return (await processesOfUids((u) => u === uid)).map((p) => p.pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Mount points at or under `prefix`, deepest first (so they can be unmounted in this order). */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((p) => p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

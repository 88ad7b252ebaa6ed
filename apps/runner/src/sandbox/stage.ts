// One stage (compile or run) of a job in bubblewrap. The process chain, from Node:
//   bash -c '<write $$ into each cgroup.procs; close stray fds>; exec "$@"'  (joins the stage's cgroup first)
//   → prlimit --nofile --fsize --core=0 --nproc --cpu      (rlimits; NPROC works because the uid is the job's own)
//   → setpriv --reuid=U --regid=U --clear-groups --no-new-privs   (the sandbox never keeps uid 0)
//   → bwrap (unprivileged: a user namespace of its own, every other namespace new, no capabilities, seccomp)
// Node spawns with a two-variable environment (never process.env): bwrap's own environment is readable inside at
// /proc/1/environ whatever --clearenv does. Output is read only from the pipes, counted in bytes.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { StageResult } from '../types.ts';
import type { Cgroups, StageCgroup } from './cgroups.ts';
import { pidsOfUid, sleep } from './host.ts';
import { signalName } from './signals.ts';

export interface SandboxConfig {
  bwrap: string;
  cgroups: Cgroups;
  seccompFile: string | null;
  /** Host path of a Node binary to show at /opt/node/bin/node, if any. */
  nodeBinary: string | null;
  /** Read-only binds besides /usr: existing host paths, shown at the same place. */
  etcBinds: string[];
  tmpSize: number;
  /** Host path of the C++ precompiled header folder, shown at /opt/pch once built (cxx-pch.ts). */
  pchDir: string | null;
  log: (line: string) => void;
}

export interface StageLimits {
  wallMs: number;
  cpuMs: number;
  /** Bytes, -1 = none. */
  memoryBytes: number;
  processes: number;
  openFiles: number;
  fileSize: number;
  outputBytes: number;
}

export interface StageSpec {
  /** A unique name (the stage's cgroup). */
  name: string;
  argv: string[];
  env?: Record<string, string>;
  /**
   * The job's /box: the host path of its tmpfs (shared by a compile and a run stage), or, for a job of one stage,
   * a tmpfs bwrap makes itself, of `size` bytes, with `files` copied in by bwrap from pipes (no host mount).
   */
  box: { hostDir: string } | { size: number; files: Array<{ name: string; content: Buffer; mode: number }> };
  uid: number;
  stdin: string;
  limits: StageLimits;
  signal?: AbortSignal;
}

export const SANDBOX_PATH = '/usr/bin:/bin:/opt/node/bin';
/** bwrap's own processes (the monitor outside and pid 1 inside) count against the uid's and cgroup's limits. */
const BWRAP_PROCESSES = 2;
const CPU_POLL_MS = 50;
const KILL_WAIT_MS = 5_000;
/** After the stage's process exits, how long its pipes may stay open (a process left in the cgroup). */
const PIPE_GRACE_MS = 1_000;

export function bwrapArgs(config: SandboxConfig, spec: StageSpec): string[] {
  const env: Record<string, string> = { PATH: SANDBOX_PATH, HOME: '/tmp', TMPDIR: '/tmp', LANG: 'C.UTF-8', ...spec.env };
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'sandbox',
    '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--ro-bind',
    '/usr',
    '/usr',
    // /usr/local is the machine's own business (site tools, other projects' binaries): hidden.
    '--tmpfs',
    '/usr/local',
    '--remount-ro',
    '/usr/local',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/sbin',
    '/sbin',
    ...config.etcBinds.flatMap((p) => ['--ro-bind', p, p]),
    ...(config.nodeBinary ? ['--ro-bind', config.nodeBinary, '/opt/node/bin/node'] : []),
    ...(config.pchDir ? ['--ro-bind', config.pchDir, '/opt/pch'] : []),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(8 * 1024 * 1024),
    '--tmpfs',
    '/dev/shm',
    '--remount-ro',
    '/dev',
    '--size',
    String(config.tmpSize),
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
    ...boxArgs(spec),
    '--chdir',
    '/box',
    '--remount-ro',
    '/',
    '--json-status-fd',
    '4',
    ...(config.seccompFile ? ['--seccomp', '3'] : []),
    '--',
    ...spec.argv,
  ];
  return args;
}

/** First fd of the files bwrap copies into its own /box (0–2 stdio, 3 seccomp, 4 json status). */
const FIRST_FILE_FD = 5;

function boxArgs(spec: StageSpec): string[] {
  if ('hostDir' in spec.box) return ['--bind', spec.box.hostDir, '/box'];
  const args = ['--size', String(spec.box.size), '--perms', '0700', '--tmpfs', '/box'];
  const dirs = new Set<string>();
  spec.box.files.forEach((file, i) => {
    const parts = file.name.split('/');
    for (let j = 1; j < parts.length; j++) {
      const dir = parts.slice(0, j).join('/');
      if (!dirs.has(dir)) args.push('--dir', `/box/${dir}`);
      dirs.add(dir);
    }
    args.push('--perms', file.mode.toString(8).padStart(4, '0'), '--file', String(FIRST_FILE_FD + i), `/box/${file.name}`);
  });
  return args;
}

interface Collected {
  text: string;
  bytes: number;
  truncated: boolean;
}

type KillReason = 'wall' | 'cpu' | 'stdout' | 'stderr' | 'aborted' | null;

/** Runs one stage to its end. Never throws for the candidate's doing; a sandbox failure is status XX. */
export async function runStage(config: SandboxConfig, spec: StageSpec): Promise<StageResult> {
  const { limits } = spec;
  let cgroup: StageCgroup | null = null;
  try {
    cgroup = await config.cgroups.create(spec.name, { memoryBytes: limits.memoryBytes, pids: limits.processes + BWRAP_PROCESSES });
  } catch (error) {
    return internalError(`cannot create the stage's cgroup: ${(error as Error).message}`);
  }
  let seccompFd: Awaited<ReturnType<typeof open>> | null = null;
  try {
    if (config.seccompFile) seccompFd = await open(config.seccompFile, 'r');
    return await spawnStage(config, spec, cgroup, seccompFd?.fd ?? 'ignore');
  } finally {
    await seccompFd?.close().catch(() => {});
    if (cgroup) {
      const empty = await cgroup.killAll(KILL_WAIT_MS);
      if (empty) await cgroup.remove().catch((error: Error) => config.log(`runner: cannot remove cgroup ${spec.name}: ${error.message}`));
      else config.log(`runner: cgroup ${spec.name} still has processes after ${KILL_WAIT_MS} ms; left in place`);
    }
  }
}

async function spawnStage(config: SandboxConfig, spec: StageSpec, cgroup: StageCgroup | null, seccompFd: number | 'ignore'): Promise<StageResult> {
  const { limits } = spec;
  const cpuSeconds = Math.ceil(limits.cpuMs / 1000) + 1;
  const nproc = limits.processes + BWRAP_PROCESSES;
  const procsFiles = cgroup?.procsFiles ?? [];
  // The wrapper joins the cgroups, then closes every descriptor but the ones bwrap needs: Node's children
  // inherit whatever the runner itself inherited without close-on-exec (a parent's pipe was seen at fd 251), and
  // bwrap passes inherited descriptors into the sandbox. Bash, because dash cannot close an fd above 9.
  const keep = ` ${[0, 1, 2, 3, 4, ...('files' in spec.box ? spec.box.files.map((_, i) => FIRST_FILE_FD + i) : [])].join(' ')} `;
  const script = [
    'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift',
    `for f in /proc/$$/fd/*; do n=\${f##*/}; case "${keep}" in *" $n "*) ;; *) { exec {n}>&-; } 2>/dev/null ;; esac; done`,
    'exec "$@"',
  ].join('\n');
  // --norc: bash reads ~/.bashrc when its stdin is a socket (it takes that for rshd), and Node's pipes are.
  const argv = [
    '--norc',
    '--noprofile',
    '-c',
    script,
    'sh',
    ...procsFiles,
    '--',
    'prlimit',
    `--nofile=${limits.openFiles}`,
    `--fsize=${limits.fileSize}`,
    '--core=0',
    `--nproc=${nproc}`,
    `--cpu=${cpuSeconds}`,
    '--',
    'setpriv',
    `--reuid=${spec.uid}`,
    `--regid=${spec.uid}`,
    '--clear-groups',
    '--no-new-privs',
    '--',
    config.bwrap,
    ...bwrapArgs(config, spec),
  ];

  const started = process.hrtime.bigint();
  const files = 'files' in spec.box ? spec.box.files : [];
  const child = spawn('/bin/bash', argv, {
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['pipe', 'pipe', 'pipe', seccompFd, 'pipe', ...files.map(() => 'pipe' as const)],
    detached: false,
  });
  files.forEach((file, i) => {
    const pipe = child.stdio[FIRST_FILE_FD + i] as NodeJS.WritableStream | null;
    pipe?.on('error', () => {}); // bwrap failed before reading it
    pipe?.end(file.content);
  });

  const stdout: Collected = { text: '', bytes: 0, truncated: false };
  const stderr: Collected = { text: '', bytes: 0, truncated: false };
  let output = '';
  const killed: { reason: KillReason } = { reason: null };
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: string | null = null;
  let status = '';

  const kill = (reason: KillReason) => {
    if (killed.reason === null) killed.reason = reason;
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  };

  const collect = (stream: 'stdout' | 'stderr', into: Collected, decoder: StringDecoder) => (chunk: Buffer) => {
    if (into.truncated) return;
    const room = limits.outputBytes - into.bytes;
    let part = chunk;
    if (chunk.length > room) {
      part = chunk.subarray(0, Math.max(0, room));
      into.truncated = true;
    }
    into.bytes += part.length;
    // The decoder keeps a character split across chunks; at the cap, the incomplete tail is dropped, never shown
    // as U+FFFD.
    const text = decoder.write(part);
    into.text += text;
    output += text;
    if (into.truncated) kill(stream);
  };
  const outDecoder = new StringDecoder('utf8');
  const errDecoder = new StringDecoder('utf8');

  const statusPipe = child.stdio[4] as Readable | null;
  statusPipe?.on('error', () => {});
  statusPipe?.setEncoding('utf8');
  statusPipe?.on('data', (d: string) => (status = (status + d).slice(0, 8192)));

  child.stdin!.on('error', () => {}); // EPIPE when the program does not read its input
  child.stdout!.on('error', () => {});
  child.stderr!.on('error', () => {});
  child.stdout!.on('data', collect('stdout', stdout, outDecoder));
  child.stderr!.on('data', collect('stderr', stderr, errDecoder));

  const wallTimer = setTimeout(() => kill('wall'), limits.wallMs);
  const onAbort = () => kill('aborted');
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (spec.signal?.aborted) kill('aborted');

  // CPU time is polled from the cgroup (RLIMIT_CPU is per process; a program with many threads or processes
  // would pass it). The poll timer is cleared at exit, so it never delays the answer.
  let cpuTimer: NodeJS.Timeout | null = null;
  const pollCpu = () => {
    cpuTimer = setTimeout(async () => {
      const used = await cgroup!.cpuMs();
      if (used !== null && used > limits.cpuMs) kill('cpu');
      else if (cpuTimer) pollCpu();
    }, CPU_POLL_MS);
  };
  if (cgroup) pollCpu();

  child.stdin!.end(spec.stdin);

  await new Promise<void>((resolve) => {
    let graceTimer: NodeJS.Timeout | null = null;
    child.on('error', (error) => {
      spawnError = error.message;
      resolve();
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // Pipes held open by a process the kernel has not reaped yet must not hang the request.
      graceTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        statusPipe?.destroy();
        resolve();
      }, PIPE_GRACE_MS);
    });
    child.on('close', () => {
      if (graceTimer) clearTimeout(graceTimer);
      resolve();
    });
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearTimeout(wallTimer);
  spec.signal?.removeEventListener('abort', onAbort);
  if (cpuTimer) clearTimeout(cpuTimer);
  cpuTimer = null;
  if (!stdout.truncated) {
    const tail = outDecoder.end();
    stdout.text += tail;
    output += tail;
  }
  if (!stderr.truncated) {
    const tail = errDecoder.end();
    stderr.text += tail;
    output += tail;
  }

  // Everything in the stage's cgroup dies with it (with --die-with-parent the kernel tears the pid namespace
  // down once bwrap's pid 1 is gone; this also covers a process that was stopped with SIGSTOP).
  let empty = true;
  if (cgroup) empty = await cgroup.killAll(KILL_WAIT_MS);
  else {
    for (let i = 0; i < 50 && (await pidsOfUid(spec.uid)).length > 0; i++) {
      for (const pid of await pidsOfUid(spec.uid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await sleep(20);
    }
  }
  const stats = cgroup ? await cgroup.stats() : { cpuMs: null, memoryBytes: null, oomKilled: false };

  const base = {
    stdout: stdout.text,
    stderr: stderr.text,
    cpu_time: stats.cpuMs === null ? null : Math.round(stats.cpuMs),
    wall_time: Math.round(wallMs),
    memory: stats.memoryBytes,
  };
  const withOutput = (extra: string | null) => (extra ? `${output}${output.endsWith('\n') || output === '' ? '' : '\n'}${extra}\n` : output);

  if (spawnError) return { ...internalError(`cannot start the sandbox: ${spawnError}`), ...base, output };
  if (!empty) config.log(`runner: stage ${spec.name}: processes left after ${KILL_WAIT_MS} ms`);

  const started_ = /"child-pid"/.test(status);
  const exitMatch = /"exit-code"\s*:\s*(-?\d+)/.exec(status);
  const exitCode = exitMatch ? Number(exitMatch[1]) : (exited as { code: number | null } | null)?.code ?? null;

  const killedFor = killed.reason;
  switch (killedFor) {
    case 'stdout':
    case 'stderr': {
      const which = killedFor;
      return {
        ...base,
        output: withOutput(`[output truncated: ${which} passed ${limits.outputBytes} bytes]`),
        code: null,
        signal: 'SIGKILL',
        status: which === 'stdout' ? 'OL' : 'EL',
        message: `${which} length exceeded`,
      };
    }
    case 'cpu':
      return { ...base, output, code: null, signal: 'SIGKILL', status: 'TO', message: 'Time limit exceeded' };
    case 'wall':
      return { ...base, output, code: null, signal: 'SIGKILL', status: 'TO', message: 'Time limit exceeded (wall clock)' };
    case 'aborted':
      return { ...base, output, code: null, signal: 'SIGKILL', status: 'XX', message: 'Sandbox error: the job was cancelled' };
  }

  // bwrap failed before the candidate's program started (before its clone: no child pid; after: exit status 1
  // and its own message on stderr). A program that prints "bwrap: " and exits 1 fools only itself.
  if (!started_ || (exitCode === 1 && stderr.text.startsWith('bwrap: ') && stdout.text === '')) {
    const reason = stderr.text.trim().split('\n').pop() || `exit status ${exitCode}`;
    config.log(`runner: sandbox failed to start: ${reason}`);
    return { ...base, output, code: null, signal: null, status: 'XX', message: `Sandbox error: ${reason}` };
  }

  if (stats.oomKilled && exitCode !== 0) {
    return { ...base, output, code: null, signal: 'SIGKILL', status: 'SG', message: 'Memory limit exceeded' };
  }
  if (exitCode === null) return { ...base, output, code: null, signal: null, status: 'XX', message: 'Sandbox error: no exit status' };
  // bwrap reports a death by signal N as exit status 128+N (like a shell); `exit 139` looks the same.
  if (exitCode > 128 && exitCode <= 128 + 64) {
    const n = exitCode - 128;
    const name = signalName(n);
    const cpuNear = stats.cpuMs !== null && stats.cpuMs >= limits.cpuMs * 0.95;
    if (name === 'SIGXCPU' || (name === 'SIGKILL' && cpuNear)) {
      return { ...base, output, code: null, signal: 'SIGKILL', status: 'TO', message: 'Time limit exceeded' };
    }
    return { ...base, output, code: null, signal: name, status: 'SG', message: `Caught fatal signal ${n}` };
  }
  if (exitCode !== 0) return { ...base, output, code: exitCode, signal: null, status: 'RE', message: `Exited with error status ${exitCode}` };
  return { ...base, output, code: 0, signal: null, status: null, message: null };
}

export function internalError(message: string): StageResult {
  return {
    stdout: '',
    stderr: '',
    output: '',
    code: null,
    signal: null,
    message: `Sandbox error: ${message}`,
    status: 'XX',
    cpu_time: null,
    wall_time: null,
    memory: null,
  };
}

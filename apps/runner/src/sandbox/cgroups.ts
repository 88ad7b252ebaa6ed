// Limits and accounting by cgroup, picked once at start:
//   v2   when /sys/fs/cgroup is cgroup2fs (memory.max, pids.max, cpu.stat, cgroup.kill);
//   v1   when the memory, pids and cpuacct hierarchies are mounted (this dev/CI machine: a v1 hybrid);
//   none otherwise: rlimits only (RLIMIT_NPROC with a uid per job, RLIMIT_CPU), reported as degraded.
// Each stage gets a cgroup of its own, below the runner's own cgroup (so the runner's own limits still bind its
// jobs), in `<own>/pairview-runner/<instance>/<stage>`. The sandbox's first process joins it before it execs
// (the wrapper writes its pid into every `cgroup.procs`), so nothing the candidate starts is ever outside it.
import { mkdir, readdir, readFile, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CgroupMode } from '../types.ts';
import { sleep } from './host.ts';

const CGROUP2_MAGIC = 0x63677270;
const V1_CONTROLLERS = ['memory', 'pids', 'cpuacct'] as const;

export interface StageLimits {
  /** Bytes, or -1 for none. */
  memoryBytes: number;
  /** Processes and threads. */
  pids: number;
}

export interface StageStats {
  cpuMs: number | null;
  memoryBytes: number | null;
  oomKilled: boolean;
}

export interface StageCgroup {
  /** `cgroup.procs` files the sandbox's first process writes its pid into before it execs. */
  procsFiles: string[];
  /** CPU used so far, ms (polled to enforce the CPU limit). */
  cpuMs(): Promise<number | null>;
  stats(): Promise<StageStats>;
  /** SIGKILLs everything in the cgroup until it is empty (or `timeoutMs` passes). True when empty. */
  killAll(timeoutMs: number): Promise<boolean>;
  remove(): Promise<void>;
}

export interface Cgroups {
  mode: CgroupMode;
  controllers: string[];
  detail: string;
  /** A cgroup for one stage, or null in mode "none". */
  create(name: string, limits: StageLimits): Promise<StageCgroup | null>;
  /** Kills and removes the cgroups of runner instances that are gone (their process died). */
  sweep(isLive: (instance: string) => boolean): Promise<number>;
  /** Removes this instance's own folder (when its jobs are done). */
  close(): Promise<void>;
}

async function readNumber(file: string): Promise<number | null> {
  try {
    const n = Number((await readFile(file, 'utf8')).trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

async function readPids(procsFile: string): Promise<number[]> {
  try {
    return (await readFile(procsFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function killPids(pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** rmdir that waits out EBUSY (the kernel frees a cgroup a moment after its last task exits). */
async function removeDir(dir: string) {
  for (let attempt = 0, wait = 1; attempt < 60; attempt++, wait = Math.min(wait * 2, 20)) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw error;
      await sleep(wait);
    }
  }
  await rmdir(dir);
}

/** Kills and removes a cgroup folder and everything below it (deepest first). */
async function destroyTree(dir: string, procsName = 'cgroup.procs', killFile?: string) {
  let children: string[] = [];
  try {
    children = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const child of children) await destroyTree(path.join(dir, child), procsName, killFile);
  if (killFile) await writeFile(path.join(dir, killFile), '1').catch(() => {});
  for (let i = 0; i < 100; i++) {
    const pids = await readPids(path.join(dir, procsName));
    if (pids.length === 0) break;
    killPids(pids);
    await sleep(20);
  }
  await removeDir(dir).catch(() => {});
}

interface MountInfo {
  point: string;
  fstype: string;
  superOptions: string[];
}

async function readMounts(): Promise<MountInfo[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right = ''] = line.split(' - ');
      const fields = left!.split(' ');
      const [fstype = '', , superOptions = ''] = right.split(' ');
      return { point: fields[4] ?? '', fstype, superOptions: superOptions.split(',') };
    });
}

/** `/proc/self/cgroup` as controller → path ("" for the v2 line). */
async function ownCgroups(): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const text = await readFile('/proc/self/cgroup', 'utf8');
  for (const line of text.split('\n').filter(Boolean)) {
    const [, controllers = '', p = '/'] = line.split(':');
    for (const c of controllers.split(',')) map.set(c, p);
  }
  return map;
}

export async function detectCgroups(instance: string, log: (line: string) => void): Promise<Cgroups> {
  if (process.getuid?.() !== 0) return none('the runner is not root: cgroups cannot be written');
  try {
    const fs = await statfs('/sys/fs/cgroup');
    if (fs.type === CGROUP2_MAGIC) return await v2(instance, log);
  } catch {
    return none('/sys/fs/cgroup is not mounted');
  }
  return await v1(instance);
}

function none(reason: string): Cgroups {
  return {
    mode: 'none',
    controllers: [],
    detail: `rlimits only (${reason}): RLIMIT_NPROC with a uid per job, RLIMIT_CPU, RLIMIT_FSIZE; memory limited by the tmpfs sizes and the languages' heap caps only, and not measured`,
    create: async () => null,
    sweep: async () => 0,
    close: async () => {},
  };
}

async function v1(instance: string): Promise<Cgroups> {
  const mounts = (await readMounts()).filter((m) => m.fstype === 'cgroup');
  const own = await ownCgroups();
  const bases: Record<string, string> = {};
  for (const controller of V1_CONTROLLERS) {
    const mount = mounts.find((m) => m.superOptions.includes(controller));
    if (!mount) return none(`no cgroup v1 ${controller} hierarchy is mounted`);
    bases[controller] = path.join(mount.point, own.get(controller) ?? '/', 'pairview-runner');
  }
  try {
    for (const controller of V1_CONTROLLERS) await mkdir(path.join(bases[controller]!, instance), { recursive: true });
  } catch (error) {
    return none(`cannot create a cgroup: ${(error as Error).message}`);
  }
  const memoryBase = bases.memory!;
  const hasMemsw = await stat(path.join(memoryBase, 'memory.memsw.limit_in_bytes')).then(
    () => true,
    () => false,
  );

  return {
    mode: 'v1',
    controllers: [...V1_CONTROLLERS],
    detail: `cgroup v1: memory (memory.limit_in_bytes), pids (pids.max), cpuacct (cpuacct.usage, polled) under ${memoryBase.replace(/\/pairview-runner$/, '')}/pairview-runner/<instance>/<stage>`,
    async create(name, limits) {
      const dirs = Object.fromEntries(V1_CONTROLLERS.map((c) => [c, path.join(bases[c]!, instance, name)])) as Record<(typeof V1_CONTROLLERS)[number], string>;
      for (const dir of Object.values(dirs)) await mkdir(dir);
      if (limits.memoryBytes > 0) {
        await writeFile(path.join(dirs.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        // No swap: the limit is on memory and swap together where the kernel accounts swap.
        if (hasMemsw) await writeFile(path.join(dirs.memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => {});
      }
      await writeFile(path.join(dirs.pids, 'pids.max'), String(limits.pids));
      const procsFile = path.join(dirs.pids, 'cgroup.procs');
      return {
        procsFiles: V1_CONTROLLERS.map((c) => path.join(dirs[c], 'cgroup.procs')),
        async cpuMs() {
          const ns = await readNumber(path.join(dirs.cpuacct, 'cpuacct.usage'));
          return ns === null ? null : ns / 1e6;
        },
        async stats() {
          const ns = await readNumber(path.join(dirs.cpuacct, 'cpuacct.usage'));
          const peak = await readNumber(path.join(dirs.memory, 'memory.max_usage_in_bytes'));
          let oomKilled = false;
          try {
            const oom = await readFile(path.join(dirs.memory, 'memory.oom_control'), 'utf8');
            oomKilled = Number(/oom_kill (\d+)/.exec(oom)?.[1] ?? 0) > 0;
          } catch {
            // older kernels have no oom_kill counter
          }
          return { cpuMs: ns === null ? null : ns / 1e6, memoryBytes: peak, oomKilled };
        },
        async killAll(timeoutMs) {
          const deadline = Date.now() + timeoutMs;
          // Right after bwrap exits, its pid namespace is still being torn down: poll fast first (1, 2, 4… ms).
          for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
            const pids = await readPids(procsFile);
            if (pids.length === 0) return true;
            if (Date.now() > deadline) return false;
            killPids(pids);
            await sleep(wait);
          }
        },
        async remove() {
          for (const dir of Object.values(dirs)) await removeDir(dir);
        },
      };
    },
    async sweep(isLive) {
      let swept = 0;
      for (const controller of V1_CONTROLLERS) {
        let entries: string[] = [];
        try {
          entries = await readdir(bases[controller]!);
        } catch {
          continue;
        }
        for (const entry of entries) {
          if (entry === instance || isLive(entry)) continue;
          const dir = path.join(bases[controller]!, entry);
          if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) continue;
          await destroyTree(dir);
          swept++;
        }
      }
      return swept;
    },
    async close() {
      for (const controller of V1_CONTROLLERS) await destroyTree(path.join(bases[controller]!, instance));
    },
  };
}

// cgroup v2. Untested on this machine (a v1 hybrid); written from the kernel's cgroup-v2 documentation and
// systemd's delegation rules. The runner needs a delegated subtree: the root of a cgroup namespace (a container),
// or a systemd unit with Delegate=yes. Because of the "no internal processes" rule, in a delegated (non-root)
// cgroup the runner first moves itself into `<own>/supervisor`.
async function v2(instance: string, log: (line: string) => void): Promise<Cgroups> {
  const own = (await ownCgroups()).get('') ?? '/';
  const ownDir = path.join('/sys/fs/cgroup', own);
  const wanted = ['memory', 'pids', 'cpu'];
  try {
    const available = (await readFile(path.join(ownDir, 'cgroup.controllers'), 'utf8')).trim().split(/\s+/);
    const missing = wanted.filter((c) => !available.includes(c));
    if (missing.length) return none(`cgroup v2 without the ${missing.join(', ')} controller(s) delegated to ${own}`);
    if (own !== '/') {
      const supervisor = path.join(ownDir, 'supervisor');
      await mkdir(supervisor, { recursive: true });
      await writeFile(path.join(supervisor, 'cgroup.procs'), String(process.pid));
      log(`runner: moved itself into the cgroup ${path.join(own, 'supervisor')} (cgroup v2 delegation)`);
    }
    const enable = `+${wanted.join(' +')}`;
    await writeFile(path.join(ownDir, 'cgroup.subtree_control'), enable);
    const base = path.join(ownDir, 'pairview-runner');
    await mkdir(base, { recursive: true });
    await writeFile(path.join(base, 'cgroup.subtree_control'), enable);
    await mkdir(path.join(base, instance), { recursive: true });
    await writeFile(path.join(base, instance, 'cgroup.subtree_control'), enable);
    return v2Manager(base, instance);
  } catch (error) {
    return none(`cgroup v2 is not delegated to the runner (${(error as Error).message}); run it in a systemd unit with Delegate=yes`);
  }
}

function v2Manager(base: string, instance: string): Cgroups {
  return {
    mode: 'v2',
    controllers: ['memory', 'pids', 'cpu'],
    detail: `cgroup v2: memory.max (+ memory.swap.max 0), pids.max, cpu.stat (polled), cgroup.kill under ${base}/<instance>/<stage>`,
    async create(name, limits) {
      const dir = path.join(base, instance, name);
      await mkdir(dir);
      if (limits.memoryBytes > 0) {
        await writeFile(path.join(dir, 'memory.max'), String(limits.memoryBytes));
        await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => {});
      }
      await writeFile(path.join(dir, 'pids.max'), String(limits.pids));
      const cpuMs = async () => {
        try {
          const text = await readFile(path.join(dir, 'cpu.stat'), 'utf8');
          return Number(/usage_usec (\d+)/.exec(text)?.[1] ?? NaN) / 1000;
        } catch {
          return null;
        }
      };
      return {
        procsFiles: [path.join(dir, 'cgroup.procs')],
        cpuMs,
        async stats() {
          const peak = (await readNumber(path.join(dir, 'memory.peak'))) ?? (await readNumber(path.join(dir, 'memory.current')));
          let oomKilled = false;
          try {
            oomKilled = Number(/oom_kill (\d+)/.exec(await readFile(path.join(dir, 'memory.events'), 'utf8'))?.[1] ?? 0) > 0;
          } catch {
            // no memory.events
          }
          return { cpuMs: await cpuMs(), memoryBytes: peak, oomKilled };
        },
        async killAll(timeoutMs) {
          const deadline = Date.now() + timeoutMs;
          await writeFile(path.join(dir, 'cgroup.kill'), '1').catch(() => {});
          for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
            const events = await readFile(path.join(dir, 'cgroup.events'), 'utf8').catch(() => 'populated 0');
            if (/populated 0/.test(events)) return true;
            if (Date.now() > deadline) return false;
            killPids(await readPids(path.join(dir, 'cgroup.procs')));
            await sleep(wait);
          }
        },
        async remove() {
          await removeDir(dir);
        },
      };
    },
    async sweep(isLive) {
      let swept = 0;
      for (const entry of await readdir(base).catch(() => [] as string[])) {
        const dir = path.join(base, entry);
        if (entry === instance || isLive(entry) || !(await stat(dir).then((s) => s.isDirectory(), () => false))) continue;
        await destroyTree(dir, 'cgroup.procs', 'cgroup.kill');
        swept++;
      }
      return swept;
    },
    async close() {
      await destroyTree(path.join(base, instance), 'cgroup.procs', 'cgroup.kill');
    },
  };
}

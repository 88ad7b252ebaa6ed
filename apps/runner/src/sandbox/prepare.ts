// Everything the runner needs before its first job, checked on this machine: root, bubblewrap, the cgroup mode,
// the seccomp filter, a canary sandbox, then each language (found on the host, then run inside the sandbox).
// The report says what works and, for what does not, why and how to fix it.
import { access, readdir } from 'node:fs/promises';
import { createCompileCache } from '../cache/compile-cache.ts';
import type { CompileCache } from '../cache/compile-cache.ts';
import { LANGUAGES } from '../languages/catalog.ts';
import type { LanguageDef } from '../languages/catalog.ts';
import { createRegistry, limitsFor } from '../languages/registry.ts';
import type { Registry, RuntimeEntry } from '../languages/registry.ts';
import type { ResolvedOptions } from '../config.ts';
import type { JobEnv } from '../jobs/execute.ts';
import type { LanguageReport, SandboxReport } from '../types.ts';
import { detectCgroups } from './cgroups.ts';
import type { Cgroups } from './cgroups.ts';
import { runHost } from './host.ts';
import { buildSeccompFilter } from './seccomp.ts';
import { runStage } from './stage.ts';
import type { SandboxConfig, StageLimits } from './stage.ts';
import { closeInstance, createBox, createInstance, destroyBox, instanceIsLive, sweepInstances } from './state.ts';
import type { Instance } from './state.ts';
import { createUidPool, sweepUidLocks } from './uids.ts';
import type { UidPool } from './uids.ts';

/** The resolved runner options (config.ts) the sandbox needs; limitOverrides may be left out. */
export type PrepareOptions = Pick<
  ResolvedOptions,
  'stateDir' | 'cacheDir' | 'cacheMaxBytes' | 'uidBase' | 'uidCount' | 'boxSize' | 'tmpSize' | 'limits' | 'log' | 'bwrapPath'
> &
  Partial<Pick<ResolvedOptions, 'limitOverrides'>>;

export interface Prepared {
  report: SandboxReport;
  registry: Registry;
  /** Null when no sandbox can run here (the report says why). */
  env: JobEnv | null;
  dispose(): Promise<void>;
}

const CHECK_LIMITS: StageLimits = { wallMs: 60_000, cpuMs: 60_000, memoryBytes: 1024 * 1024 * 1024, processes: 64, openFiles: 256, fileSize: 1 << 20, outputBytes: 65536 };

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Hints for the usual reasons bwrap cannot start as an unprivileged user. */
function bwrapFix(reason: string): string {
  if (/namespace|Operation not permitted|Permission denied/i.test(reason)) {
    return 'allow unprivileged user namespaces: sysctl -w user.max_user_namespaces=15000 (and kernel.unprivileged_userns_clone=1 on older Debian kernels; kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04); in a container, run it with --privileged or a seccomp/AppArmor profile that allows unshare';
  }
  return 'run `bwrap --ro-bind / / true` as an unprivileged user to see what fails';
}

async function etcBinds(): Promise<string[]> {
  const wanted = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/php'];
  // The JDK's configuration lives in /etc/java-<n>-openjdk (its lib/security etc. are symlinks into it).
  for (const name of await readdir('/etc').catch(() => [] as string[])) if (/^java-\d+-openjdk$/.test(name)) wanted.push(`/etc/${name}`);
  const present: string[] = [];
  for (const p of wanted) if (await exists(p)) present.push(p);
  return present;
}

/** Runs `fn` over items, `n` at a time. */
async function inParallel<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

export async function prepareSandbox(options: PrepareOptions): Promise<Prepared> {
  const { log } = options;
  const problems: string[] = [];
  const report: SandboxReport = {
    ok: false,
    bubblewrap: { available: false },
    cgroups: { mode: 'none', degraded: true, controllers: [], detail: 'not checked' },
    seccomp: { enabled: false, detail: 'not checked' },
    languages: [],
    problems,
  };
  const unavailable = (reason: string, fix: string): LanguageReport[] =>
    uniqueLanguages().map((d) => ({ language: d.language, aliases: d.aliases, available: false, reason, fix }));
  const nothing = (reason: string, fix: string): Prepared => {
    report.languages = unavailable(reason, fix);
    problems.unshift(`${reason}: ${fix}`);
    return { report, registry: createRegistry([]), env: null, dispose: async () => {} };
  };

  if (process.platform !== 'linux') return nothing(`the sandbox needs Linux (this is ${process.platform})`, 'run the runner on Linux');
  const BWRAP = options.bwrapPath;
  if (!(await exists(BWRAP))) {
    report.bubblewrap = { available: false, reason: 'bubblewrap not installed', fix: 'apt-get install bubblewrap' };
    return nothing('bubblewrap not installed', 'apt-get install bubblewrap');
  }
  const version = await runHost(BWRAP, ['--version']);
  report.bubblewrap = { available: true, version: version.stdout.trim().replace(/^bubblewrap\s*/, '') };
  for (const tool of ['/usr/bin/setpriv', '/usr/bin/prlimit', '/usr/bin/mount']) {
    if (!(await exists(tool))) return nothing(`${tool} not found`, 'apt-get install util-linux mount');
  }
  if (process.getuid?.() !== 0) {
    report.bubblewrap.reason = 'the runner is not root';
    return nothing('the runner must start as root (it mounts a tmpfs per job and runs each job as a uid of its own, never as root)', 'start it as root (the sandbox itself never keeps uid 0)');
  }

  // Runners that died left mounts, cgroups and uid locks: remove them before anything else.
  const name = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let cgroups: Cgroups;
  let instance: Instance;
  let uids: UidPool;
  let cache: CompileCache;
  try {
    cgroups = await detectCgroups(name, log);
    const sweptCgroups = await cgroups.sweep(instanceIsLive);
    const sweptInstances = await sweepInstances(options.stateDir, log);
    const sweptUids = await sweepUidLocks(options.stateDir);
    if (sweptCgroups + sweptInstances + sweptUids > 0) log(`runner: cleaned what stopped runners left: ${sweptCgroups} cgroup folders, ${sweptInstances} state folders, ${sweptUids} uid locks`);
    const arch = process.arch;
    const filter = arch === 'x64' ? buildSeccompFilter() : null;
    instance = await createInstance(options.stateDir, filter ?? Buffer.alloc(0), log, name);
    if (!filter) {
      report.seccomp = { enabled: false, detail: `the seccomp filter is written for x86_64; not installed on ${arch}` };
      problems.push(report.seccomp.detail);
    } else {
      report.seccomp = { enabled: true, detail: `x86_64 BPF filter, ${filter.length / 8} instructions: mount, ptrace, unshare, setns, bpf, io_uring, keyctl, kexec… → EPERM; clone3 and the new mount API → ENOSYS; namespace flags of clone → EPERM` };
    }
    uids = await createUidPool(options.stateDir, options.uidBase, options.uidCount, cgroups.mode === 'none');
    cache = await createCompileCache(options.cacheDir, options.cacheMaxBytes, log);
  } catch (error) {
    return nothing(`the runner cannot set up its state in ${options.stateDir}: ${(error as Error).message}`, 'check RUNNER_STATE_DIR (a folder on a local filesystem, root-owned)');
  }
  report.cgroups = { mode: cgroups.mode, degraded: cgroups.mode === 'none', controllers: cgroups.controllers, detail: cgroups.detail };
  if (cgroups.mode === 'none') problems.push(`no cgroups: ${cgroups.detail}`);

  const sandbox: SandboxConfig = {
    bwrap: BWRAP,
    cgroups,
    seccompFile: report.seccomp.enabled ? instance.seccompFile : null,
    nodeBinary: instance.nodeBinary,
    etcBinds: await etcBinds(),
    tmpSize: options.tmpSize,
    pchDir: null,
    log,
  };
  const env: JobEnv = { sandbox, instance, uids, cache, boxSize: options.boxSize, log };
  const dispose = async () => {
    await closeInstance(instance).catch((error: Error) => log(`runner: cleanup of ${instance.dir}: ${error.message}`));
    await cgroups.close().catch(() => {});
  };

  // One sandbox end to end (uid, tmpfs, cgroup, seccomp): proves bwrap and user namespaces work here.
  const canary = await checkInSandbox(env, 'canary', ['/bin/sh', '-c', 'echo sandbox-ok']);
  // (bwrap's own /box with a file copied in is checked by every language check below.)
  if (!canary.ok) {
    report.bubblewrap.reason = canary.reason;
    report.bubblewrap.fix = bwrapFix(canary.reason);
    report.languages = unavailable(`the sandbox does not start: ${canary.reason}`, report.bubblewrap.fix);
    problems.unshift(`bubblewrap cannot start a sandbox: ${canary.reason}; fix: ${report.bubblewrap.fix}`);
    return { report, registry: createRegistry([]), env: null, dispose };
  }
  report.ok = true;

  const detected = await inParallel(LANGUAGES, 4, async (def) => ({ def, found: await def.detect({ nodeBinary: instance.nodeBinary }) }));
  const entries: RuntimeEntry[] = [];
  const checked = await inParallel(detected, 2, async ({ def, found }) => {
    if (!('version' in found)) return { def, found, ok: false as const, reason: found.reason, fix: found.fix };
    const check = await checkInSandbox(env, `check-${def.language.replace(/\W/g, '')}`, found.check);
    return check.ok ? { def, found, ok: true as const } : { def, found, ok: false as const, reason: `found ${found.version} but it does not run in the sandbox: ${check.reason}`, fix: 'see the runner log' };
  });
  const byLanguage = new Map<string, LanguageReport>();
  for (const c of checked) {
    if (c.ok && 'version' in c.found) entries.push({ def: c.def, version: c.found.version, limits: limitsFor(c.def, options.limits, options.limitOverrides) });
    const previous = byLanguage.get(c.def.language);
    // A language with two candidate toolchains (javascript) is reported by its best one.
    if (previous?.available) continue;
    if (!c.ok && c.fix === '' && previous) continue;
    byLanguage.set(c.def.language, {
      language: c.def.language,
      aliases: c.def.aliases,
      ...('version' in c.found ? { version: c.found.version } : {}),
      available: c.ok,
      ...(c.ok ? {} : { reason: c.reason, fix: c.fix }),
    });
  }
  report.languages = [...byLanguage.values()];
  for (const l of report.languages) if (!l.available && l.fix) problems.push(`${l.language}: ${l.reason}: ${l.fix}`);
  return { report, registry: createRegistry(entries), env, dispose };
}

function uniqueLanguages(): LanguageDef[] {
  const seen = new Set<string>();
  return LANGUAGES.filter((d) => !seen.has(d.language) && seen.add(d.language));
}

async function checkInSandbox(env: JobEnv, name: string, argv: string[]): Promise<{ ok: true } | { ok: false; reason: string }> {
  let uid: number;
  try {
    uid = await env.uids.acquire();
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  let box;
  try {
    // The canary goes through a host tmpfs like a compiled job's; the language checks use bwrap's own.
    if (name === 'canary') box = await createBox(env.instance, `${name}-${Math.random().toString(36).slice(2, 8)}`, uid, 1 << 20);
  } catch (error) {
    await env.uids.release(uid);
    return { ok: false, reason: (error as Error).message };
  }
  try {
    const suffix = Math.random().toString(36).slice(2, 8);
    const result = await runStage(env.sandbox, {
      name: `${name}-${suffix}`,
      argv,
      box: box ? { hostDir: box.dir } : { size: 1 << 20, files: [{ name: 'probe.txt', content: Buffer.from('probe\n'), mode: 0o644 }] },
      uid,
      stdin: '',
      limits: CHECK_LIMITS,
    });
    if (result.status === null && result.code === 0) return { ok: true };
    const detail = (result.message ?? '') + (result.stderr.trim() ? `: ${result.stderr.trim().split('\n').slice(-2).join(' ')}` : '');
    return { ok: false, reason: detail.replace(/^Sandbox error: /, '') || 'failed' };
  } finally {
    if (box) await destroyBox(box).catch((error: Error) => env.log(`runner: ${error.message}`));
    await env.uids.release(uid);
  }
}

// The public types of @pairview/runner, in one module: the Piston v2 wire format (what the HTTP API and the client
// speak), the sandbox report, and the options of the embedded runner. Everything else in the package is internal.

/** One entry of `GET /api/v2/runtimes` (Piston's shape). */
export interface Runtime {
  language: string;
  version: string;
  aliases: string[];
  /** Only for runtimes that provide several languages (gcc → c, c++; node → javascript, typescript). */
  runtime?: string;
}

export type FileEncoding = 'utf8' | 'base64' | 'hex';

export interface ExecuteFile {
  /** Defaults to `file${i}.code`. Must stay inside the working directory (no `..`). */
  name?: string;
  content: string;
  /** Anything else than base64/hex is read as utf8 (as Piston does). */
  encoding?: FileEncoding;
}

/** `POST /api/v2/execute` body. Limits: 0 or absent = the runner's default; times in ms, memory in bytes. */
export interface ExecuteRequest {
  language: string;
  /** A semver range; `"*"` takes the newest installed version. */
  version: string;
  files: ExecuteFile[];
  /** A trailing "\n" is always appended (Piston does). */
  stdin?: string;
  args?: string[];
  compile_timeout?: number;
  run_timeout?: number;
  compile_cpu_time?: number;
  run_cpu_time?: number;
  /** -1 = no limit (only accepted where the runner's configured limit is -1 too). */
  compile_memory_limit?: number;
  run_memory_limit?: number;
}

/**
 * Piston's stage status: RE non-zero exit, SG killed by a signal (also: memory limit), TO time limit (CPU or
 * wall), OL/EL stdout/stderr over the output limit, XX internal error. null when the stage exited with 0.
 */
export type StageStatus = 'RE' | 'SG' | 'TO' | 'OL' | 'EL' | 'XX';

export interface StageResult {
  stdout: string;
  stderr: string;
  /** Both streams interleaved in arrival order. Ours ends with "[output truncated …]" when a stream hit its cap. */
  output: string;
  code: number | null;
  /** A signal name such as "SIGKILL", or null. */
  signal: string | null;
  /**
   * Piston's/isolate's texts: "Time limit exceeded", "Time limit exceeded (wall clock)", "Exited with error
   * status N", "Caught fatal signal N", "stdout length exceeded", "stderr length exceeded"; ours adds
   * "Memory limit exceeded" (status SG, signal SIGKILL) and "Sandbox error: …" (XX).
   */
  message: string | null;
  status: StageStatus | null;
  /** ms; null where the machine cannot measure it (no cgroups). */
  cpu_time: number | null;
  wall_time: number | null;
  /** Peak memory in bytes; null where the machine cannot measure it (no memory cgroup). */
  memory: number | null;
  /** Ours, not Piston's: a compile stage served from the compile cache (its output is the first compile's). */
  cached?: boolean;
}

export interface ExecuteResponse {
  language: string;
  version: string;
  run: StageResult;
  /** Only for compiled languages. When it fails, `run` is a copy of it (Piston does the same). */
  compile?: StageResult;
}

/** What a stage's result means, for a UI (see stageOutcome). Works on Piston's answers too. */
export type StageOutcome =
  | 'ok'
  | 'runtime_error'
  | 'signal'
  | 'time_limit'
  | 'wall_time_limit'
  | 'memory_limit'
  | 'output_truncated'
  | 'internal_error';

/** How the runner limits memory, processes and CPU on this machine. */
export type CgroupMode = 'v2' | 'v1' | 'none';

export interface LanguageReport {
  language: string;
  aliases: string[];
  /** The installed version, when the toolchain was found. */
  version?: string;
  /** True when the toolchain was found and ran inside the sandbox. */
  available: boolean;
  /** Why it cannot run, e.g. "go not found". */
  reason?: string;
  /** How to fix it, e.g. "apt-get install golang-go". */
  fix?: string;
}

export interface SandboxReport {
  /** True when bubblewrap starts a sandbox here (the runner can run anything at all). */
  ok: boolean;
  bubblewrap: { available: boolean; version?: string; reason?: string; fix?: string };
  cgroups: {
    mode: CgroupMode;
    /** True when memory/processes/CPU are limited by rlimits only (no cgroup could be used). */
    degraded: boolean;
    /** Controllers in use, e.g. ["memory","pids","cpuacct"]. */
    controllers: string[];
    detail: string;
  };
  seccomp: { enabled: boolean; detail: string };
  languages: LanguageReport[];
  /** One line per problem found, ready to print (English). */
  problems: string[];
}

/** `GET /api/v2/sandbox` (ours): the report of the start, plus what changes while the runner runs. */
export interface SandboxStatus extends SandboxReport {
  queue: { running: number; queued: number; maxConcurrent: number; maxQueued: number };
  compileCache: { entries: number; bytes: number; hits: number; misses: number } | null;
  /** The precompiled <bits/stdc++.h>: "off" without a cache folder or C++. */
  cxxPrecompiledHeader: 'off' | 'building' | 'ready' | 'failed';
}

/** Limits with Piston's semantics: each is the default and the maximum a request may ask for. */
export interface RunnerLimits {
  compileTimeoutMs: number;
  runTimeoutMs: number;
  compileCpuTimeMs: number;
  runCpuTimeMs: number;
  /** Bytes; -1 = none. */
  compileMemoryBytes: number;
  runMemoryBytes: number;
  /** Processes and threads of one stage. */
  maxProcessCount: number;
  maxOpenFiles: number;
  /** Largest file a stage may write, bytes. */
  maxFileSize: number;
  /** Per stream (stdout, stderr), bytes. */
  outputMaxSize: number;
}

export interface RunnerOptions {
  /** Default 2000 (RUNNER_PORT); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (RUNNER_HOST). */
  host?: string;
  /** Jobs run at once; more wait in a queue. Default 2 (RUNNER_MAX_CONCURRENT_JOBS). */
  maxConcurrentJobs?: number;
  /** Jobs that may wait; past that the runner answers 503. Default 64 (RUNNER_MAX_QUEUED_JOBS). */
  maxQueuedJobs?: number;
  limits?: Partial<RunnerLimits>;
  /** Per-language overrides, keyed by language name (Piston's LIMIT_OVERRIDES). */
  limitOverrides?: Record<string, Partial<RunnerLimits>>;
  /** Machine-wide state (uid locks, job mounts). Default /run/pairview-runner (RUNNER_STATE_DIR). */
  stateDir?: string;
  /** Compile cache folder, or null for none. Default /var/cache/pairview-runner (RUNNER_CACHE_DIR, "off"). */
  cacheDir?: string | null;
  /** Default 256 MiB (RUNNER_CACHE_MAX_BYTES). */
  cacheMaxBytes?: number;
  /** First uid of the pool and its size; each job gets a uid of its own. Default 1900000 / 256. */
  uidBase?: number;
  uidCount?: number;
  /** Size of the per-job /box and of /tmp inside the sandbox, bytes. Default 64 MiB each. */
  boxSize?: number;
  tmpSize?: number;
  /** Logs one line per event; default: silent. */
  log?: (line: string) => void;
  /** Default /usr/bin/bwrap (Debian's bubblewrap). */
  bwrapPath?: string;
  /**
   * Build a precompiled <bits/stdc++.h> (once per machine, ~5 s of CPU in the background, ~100 MB in the cache
   * folder) so C++ that includes it compiles ~4× faster. Needs cacheDir. Default true (RUNNER_CXX_PCH=off).
   */
  cxxPrecompiledHeader?: boolean;
}

export interface RunnerHandle {
  /** e.g. "http://127.0.0.1:2000" */
  url: string;
  report: SandboxReport;
  /** Stops listening, kills running jobs, drops queued ones and removes the runner's mounts and cgroups. */
  close(): Promise<void>;
}

export interface PistonClientOptions {
  /** Per request; default 30 s for execute (a job may wait in the queue), 5 s for runtimes. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface PistonClient {
  baseUrl: string;
  runtimes(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Runtime[]>;
  execute(request: ExecuteRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ExecuteResponse>;
  /** Ours only (404 from Piston → null). */
  sandbox(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<SandboxStatus | null>;
}

export type PistonErrorKind = 'timeout' | 'network' | 'http' | 'invalid_response' | 'aborted';

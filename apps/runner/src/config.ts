// Defaults and the environment. Limits follow Piston's semantics: each is the default of a request and the
// most it may ask for. Differences from Piston's defaults, and why:
//   output 64 KiB per stream (Piston 1 KiB: too little for a test case's output);
//   memory 512 MiB run / 1 GiB compile (Piston -1: a memory bomb must meet a limit);
//   open files 256 (Piston 2048: nothing an interview program needs; the JVM uses ~40).
import { z } from 'zod';
import type { RunnerLimits, RunnerOptions } from './types.ts';

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: RunnerLimits = {
  compileTimeoutMs: 10_000,
  runTimeoutMs: 3_000,
  compileCpuTimeMs: 10_000,
  runCpuTimeMs: 3_000,
  compileMemoryBytes: 1024 * MiB,
  runMemoryBytes: 512 * MiB,
  maxProcessCount: 64,
  maxOpenFiles: 256,
  maxFileSize: 10_000_000,
  outputMaxSize: 64 * 1024,
};

export interface ResolvedOptions {
  port: number;
  host: string;
  maxConcurrentJobs: number;
  maxQueuedJobs: number;
  limits: RunnerLimits;
  limitOverrides: Record<string, Partial<RunnerLimits>>;
  stateDir: string;
  cacheDir: string | null;
  cacheMaxBytes: number;
  uidBase: number;
  uidCount: number;
  boxSize: number;
  tmpSize: number;
  log: (line: string) => void;
  bwrapPath: string;
  cxxPrecompiledHeader: boolean;
}

export function resolveOptions(options: RunnerOptions = {}): ResolvedOptions {
  const maxConcurrentJobs = options.maxConcurrentJobs ?? 2;
  const resolved: ResolvedOptions = {
    port: options.port ?? 2000,
    host: options.host ?? '127.0.0.1',
    maxConcurrentJobs,
    maxQueuedJobs: options.maxQueuedJobs ?? 64,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    limitOverrides: options.limitOverrides ?? {},
    stateDir: options.stateDir ?? '/run/pairview-runner',
    cacheDir: options.cacheDir === undefined ? '/var/cache/pairview-runner' : options.cacheDir,
    cacheMaxBytes: options.cacheMaxBytes ?? 256 * MiB,
    uidBase: options.uidBase ?? 1_900_000,
    uidCount: options.uidCount ?? 256,
    boxSize: options.boxSize ?? 64 * MiB,
    tmpSize: options.tmpSize ?? 64 * MiB,
    log: options.log ?? (() => {}),
    bwrapPath: options.bwrapPath ?? '/usr/bin/bwrap',
    cxxPrecompiledHeader: options.cxxPrecompiledHeader ?? true,
  };
  if (resolved.maxConcurrentJobs < 1) throw new Error('maxConcurrentJobs (RUNNER_MAX_CONCURRENT_JOBS) must be at least 1');
  // A uid is busy for a whole job; the pool needs room for every running job and for checks at start.
  if (resolved.uidCount < 2 * maxConcurrentJobs + 2) throw new Error(`uidCount (RUNNER_UID_COUNT) must be at least ${2 * maxConcurrentJobs + 2} for ${maxConcurrentJobs} concurrent jobs`);
  return resolved;
}

const int = (name: string) =>
  z
    .string()
    .regex(/^-?\d+$/, `${name} must be an integer`)
    .transform(Number)
    .optional();

const limitsSchema = z
  .object({
    compile_timeout: z.number(),
    run_timeout: z.number(),
    compile_cpu_time: z.number(),
    run_cpu_time: z.number(),
    compile_memory_limit: z.number(),
    run_memory_limit: z.number(),
    max_process_count: z.number().int().positive(),
    max_open_files: z.number().int().positive(),
    max_file_size: z.number().int().positive(),
    output_max_size: z.number().int().positive(),
  })
  .partial()
  .strict();

function toLimits(l: z.infer<typeof limitsSchema>): Partial<RunnerLimits> {
  const out: Partial<RunnerLimits> = {};
  if (l.compile_timeout !== undefined) out.compileTimeoutMs = l.compile_timeout;
  if (l.run_timeout !== undefined) out.runTimeoutMs = l.run_timeout;
  if (l.compile_cpu_time !== undefined) out.compileCpuTimeMs = l.compile_cpu_time;
  if (l.run_cpu_time !== undefined) out.runCpuTimeMs = l.run_cpu_time;
  if (l.compile_memory_limit !== undefined) out.compileMemoryBytes = l.compile_memory_limit;
  if (l.run_memory_limit !== undefined) out.runMemoryBytes = l.run_memory_limit;
  if (l.max_process_count !== undefined) out.maxProcessCount = l.max_process_count;
  if (l.max_open_files !== undefined) out.maxOpenFiles = l.max_open_files;
  if (l.max_file_size !== undefined) out.maxFileSize = l.max_file_size;
  if (l.output_max_size !== undefined) out.outputMaxSize = l.output_max_size;
  return out;
}

/**
 * RunnerOptions from RUNNER_* variables (names after Piston's PISTON_* ones). Throws with the variable's name
 * when one is malformed.
 */
export function runnerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RunnerOptions {
  const schema = z.object({
    RUNNER_PORT: int('RUNNER_PORT'),
    RUNNER_HOST: z.string().min(1).optional(),
    RUNNER_MAX_CONCURRENT_JOBS: int('RUNNER_MAX_CONCURRENT_JOBS'),
    RUNNER_MAX_QUEUED_JOBS: int('RUNNER_MAX_QUEUED_JOBS'),
    RUNNER_COMPILE_TIMEOUT: int('RUNNER_COMPILE_TIMEOUT'),
    RUNNER_RUN_TIMEOUT: int('RUNNER_RUN_TIMEOUT'),
    RUNNER_COMPILE_CPU_TIME: int('RUNNER_COMPILE_CPU_TIME'),
    RUNNER_RUN_CPU_TIME: int('RUNNER_RUN_CPU_TIME'),
    RUNNER_COMPILE_MEMORY_LIMIT: int('RUNNER_COMPILE_MEMORY_LIMIT'),
    RUNNER_RUN_MEMORY_LIMIT: int('RUNNER_RUN_MEMORY_LIMIT'),
    RUNNER_MAX_PROCESS_COUNT: int('RUNNER_MAX_PROCESS_COUNT'),
    RUNNER_MAX_OPEN_FILES: int('RUNNER_MAX_OPEN_FILES'),
    RUNNER_MAX_FILE_SIZE: int('RUNNER_MAX_FILE_SIZE'),
    RUNNER_OUTPUT_MAX_SIZE: int('RUNNER_OUTPUT_MAX_SIZE'),
    RUNNER_LIMIT_OVERRIDES: z.string().optional(),
    RUNNER_STATE_DIR: z.string().min(1).optional(),
    RUNNER_CACHE_DIR: z.string().min(1).optional(),
    RUNNER_CACHE_MAX_BYTES: int('RUNNER_CACHE_MAX_BYTES'),
    RUNNER_UID_BASE: int('RUNNER_UID_BASE'),
    RUNNER_UID_COUNT: int('RUNNER_UID_COUNT'),
    RUNNER_CXX_PCH: z.enum(['on', 'off']).optional(),
  });
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`runner configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  let limitOverrides: Record<string, Partial<RunnerLimits>> | undefined;
  if (e.RUNNER_LIMIT_OVERRIDES) {
    let json: unknown;
    try {
      json = JSON.parse(e.RUNNER_LIMIT_OVERRIDES);
    } catch {
      throw new Error('runner configuration: RUNNER_LIMIT_OVERRIDES must be JSON, e.g. {"kotlin":{"compile_timeout":60000}}');
    }
    const overrides = z.record(z.string(), limitsSchema).safeParse(json);
    if (!overrides.success) throw new Error(`runner configuration: RUNNER_LIMIT_OVERRIDES: ${overrides.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    limitOverrides = Object.fromEntries(Object.entries(overrides.data).map(([k, v]) => [k, toLimits(v)]));
  }
  const limits = toLimits({
    compile_timeout: e.RUNNER_COMPILE_TIMEOUT,
    run_timeout: e.RUNNER_RUN_TIMEOUT,
    compile_cpu_time: e.RUNNER_COMPILE_CPU_TIME,
    run_cpu_time: e.RUNNER_RUN_CPU_TIME,
    compile_memory_limit: e.RUNNER_COMPILE_MEMORY_LIMIT,
    run_memory_limit: e.RUNNER_RUN_MEMORY_LIMIT,
    max_process_count: e.RUNNER_MAX_PROCESS_COUNT,
    max_open_files: e.RUNNER_MAX_OPEN_FILES,
    max_file_size: e.RUNNER_MAX_FILE_SIZE,
    output_max_size: e.RUNNER_OUTPUT_MAX_SIZE,
  });
  const options: RunnerOptions = { limits };
  if (e.RUNNER_PORT !== undefined) options.port = e.RUNNER_PORT;
  if (e.RUNNER_HOST !== undefined) options.host = e.RUNNER_HOST;
  if (e.RUNNER_MAX_CONCURRENT_JOBS !== undefined) options.maxConcurrentJobs = e.RUNNER_MAX_CONCURRENT_JOBS;
  if (e.RUNNER_MAX_QUEUED_JOBS !== undefined) options.maxQueuedJobs = e.RUNNER_MAX_QUEUED_JOBS;
  if (limitOverrides) options.limitOverrides = limitOverrides;
  if (e.RUNNER_STATE_DIR !== undefined) options.stateDir = e.RUNNER_STATE_DIR;
  if (e.RUNNER_CACHE_DIR !== undefined) options.cacheDir = e.RUNNER_CACHE_DIR === 'off' ? null : e.RUNNER_CACHE_DIR;
  if (e.RUNNER_CACHE_MAX_BYTES !== undefined) options.cacheMaxBytes = e.RUNNER_CACHE_MAX_BYTES;
  if (e.RUNNER_UID_BASE !== undefined) options.uidBase = e.RUNNER_UID_BASE;
  if (e.RUNNER_UID_COUNT !== undefined) options.uidCount = e.RUNNER_UID_COUNT;
  if (e.RUNNER_CXX_PCH !== undefined) options.cxxPrecompiledHeader = e.RUNNER_CXX_PCH === 'on';
  return options;
}

// `POST /api/v2/execute` validation, in Piston's order and with Piston's messages (api/src/api/v2.js get_job), so a
// client written for Piston sees the same 400s. Ours on top (Piston would answer 500): file names that leave the
// working folder, duplicate names, non-string stdin/args.
import path from 'node:path';
import semver from 'semver';
import type { RunnerLimits } from '../types.ts';
import type { RuntimeEntry } from '../languages/registry.ts';
import type { StageLimits } from '../sandbox/stage.ts';

export interface JobFile {
  name: string;
  content: Buffer;
  utf8: boolean;
}

export interface JobRequest {
  runtime: RuntimeEntry;
  files: JobFile[];
  stdin: string;
  args: string[];
  compile: StageLimits;
  run: StageLimits;
}

export type Validation = { ok: true; job: JobRequest } | { ok: false; message: string };

const CONSTRAINTS = ['memory_limit', 'timeout', 'cpu_time'] as const;
export const MAX_FILES = 100;

function configured(limits: RunnerLimits, type: 'compile' | 'run', constraint: (typeof CONSTRAINTS)[number]): number {
  if (constraint === 'memory_limit') return type === 'compile' ? limits.compileMemoryBytes : limits.runMemoryBytes;
  if (constraint === 'timeout') return type === 'compile' ? limits.compileTimeoutMs : limits.runTimeoutMs;
  return type === 'compile' ? limits.compileCpuTimeMs : limits.runCpuTimeMs;
}

export function validateExecute(body: unknown, find: (language: string, version: string) => RuntimeEntry | undefined): Validation {
  const fail = (message: string): Validation => ({ ok: false, message });
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const { language, version, files } = b;
  if (!language || typeof language !== 'string') return fail('language is required as a string');
  if (!version || typeof version !== 'string') return fail('version is required as a string');
  if (!files || !Array.isArray(files)) return fail('files is required as an array');
  for (const [i, file] of files.entries()) {
    if (!file || typeof file !== 'object' || typeof (file as { content?: unknown }).content !== 'string') return fail(`files[${i}].content is required as a string`);
  }
  // Piston passes the range to semver.satisfies, which is false (never throws) for a range it cannot parse.
  const runtime = semver.validRange(version) === null ? undefined : find(language, version);
  if (runtime === undefined) return fail(`${language}-${version} runtime is unknown`);

  const normalized = (files as Array<{ name?: unknown; content: string; encoding?: unknown }>).map((file, i) => ({
    name: typeof file.name === 'string' && file.name !== '' ? file.name : `file${i}.code`,
    content: file.content,
    encoding: (file.encoding === 'base64' || file.encoding === 'hex' ? file.encoding : 'utf8') as 'base64' | 'hex' | 'utf8',
  }));
  if (!normalized.some((f) => f.encoding === 'utf8')) return fail('files must include at least one utf8 encoded file');
  // Ours: each file is a pipe into bwrap (and an inode of the box).
  if (normalized.length > MAX_FILES) return fail(`files may hold at most ${MAX_FILES} files`);

  const limits = runtime.limits;
  for (const constraint of CONSTRAINTS) {
    for (const type of ['compile', 'run'] as const) {
      const name = `${type}_${constraint}`;
      const value = b[name];
      const limit = configured(limits, type, constraint);
      if (!value) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`If specified, ${name} must be a number`);
      if (limit <= 0) continue;
      if (value > limit) return fail(`${name} cannot exceed the configured limit of ${limit}`);
      if (value < 0) return fail(`${name} must be non-negative`);
    }
  }

  if (b.stdin !== undefined && b.stdin !== null && typeof b.stdin !== 'string') return fail('stdin must be a string');
  if (b.args !== undefined && b.args !== null && (!Array.isArray(b.args) || b.args.some((a) => typeof a !== 'string'))) return fail('args must be an array of strings');

  const seen = new Set<string>();
  const jobFiles: JobFile[] = [];
  for (const [i, file] of normalized.entries()) {
    // As Piston checks it (path.relative from the box), plus: no absolute names, no name that is the folder itself.
    const clean = path.posix.normalize(file.name.replace(/\\/g, '/'));
    if (file.name.includes('\0') || path.posix.isAbsolute(clean) || clean === '.' || clean.endsWith('/') || clean.split('/').includes('..')) {
      return fail(`files[${i}].name "${file.name}" must be a relative file name inside the working folder`);
    }
    if (seen.has(clean)) return fail(`files[${i}].name "${file.name}" is used twice`);
    seen.add(clean);
    jobFiles.push({ name: clean, content: Buffer.from(file.content, file.encoding), utf8: file.encoding === 'utf8' });
  }

  const num = (v: unknown): number | undefined => (typeof v === 'number' && v !== 0 ? v : undefined);
  const stage = (type: 'compile' | 'run'): StageLimits => ({
    wallMs: num(b[`${type}_timeout`]) ?? configured(limits, type, 'timeout'),
    cpuMs: num(b[`${type}_cpu_time`]) ?? configured(limits, type, 'cpu_time'),
    memoryBytes: num(b[`${type}_memory_limit`]) ?? configured(limits, type, 'memory_limit'),
    processes: limits.maxProcessCount,
    openFiles: limits.maxOpenFiles,
    fileSize: limits.maxFileSize,
    outputBytes: limits.outputMaxSize,
  });
  let stdin = typeof b.stdin === 'string' ? b.stdin : '';
  if (!stdin.endsWith('\n')) stdin += '\n';
  return {
    ok: true,
    job: { runtime, files: jobFiles, stdin, args: Array.isArray(b.args) ? (b.args as string[]) : [], compile: stage('compile'), run: stage('run') },
  };
}

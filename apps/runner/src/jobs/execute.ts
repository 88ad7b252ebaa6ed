// One job: a uid and a fresh tmpfs of its own, the files written in by the host before anything runs, then the
// compile stage (or the compile cache) and the run stage, each in its own sandbox and cgroup. Cleaned up in
// `finally` whatever happened: the tmpfs unmounted, the uid freed.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, chown } from 'node:fs/promises';
import path from 'node:path';
import type { ExecuteResponse } from '../types.ts';
import type { CompileCache } from '../cache/compile-cache.ts';
import { readArtefact } from '../cache/compile-cache.ts';
import type { CommandContext, SandboxCommand, SourceFile } from '../languages/catalog.ts';
import type { JobFile, JobRequest } from '../http/validate.ts';
import type { SandboxConfig } from '../sandbox/stage.ts';
import { runStage } from '../sandbox/stage.ts';
import type { Instance } from '../sandbox/state.ts';
import { createBox, destroyBox } from '../sandbox/state.ts';
import type { UidPool } from '../sandbox/uids.ts';

export interface JobEnv {
  sandbox: SandboxConfig;
  instance: Instance;
  uids: UidPool;
  cache: CompileCache;
  boxSize: number;
  log: (line: string) => void;
}

/** A file the request cannot have (two files on one path after renaming…): answered with 400. */
export class JobInputError extends Error {}

/**
 * Writes a file the host creates itself into a fresh box: O_EXCL | O_NOFOLLOW (nothing can be there yet, and
 * nothing is followed if it were), owned by the job's uid so the program may change its own files.
 */
async function writeBoxFile(boxDir: string, name: string, content: Buffer, uid: number, mode: number) {
  const parts = name.split('/');
  let dir = boxDir;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    try {
      await mkdir(dir, { mode: 0o755 });
      await chown(dir, uid, uid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let handle;
  try {
    handle = await open(path.join(boxDir, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR') throw new JobInputError(`file "${name}" clashes with another file of the request`);
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.chown(uid, uid);
  } finally {
    await handle.close();
  }
}

/** The files as the language wants them: the main one (the first utf8 file) named for it. */
export function prepareFiles(job: JobRequest): { main: SourceFile; files: SourceFile[] } {
  const def = job.runtime.def;
  const mainIndex = job.files.findIndex((f) => f.utf8);
  const files: SourceFile[] = job.files.map((f: JobFile, i) => {
    if (i !== mainIndex) return { name: f.name, content: f.content, utf8: f.utf8 };
    let name = f.name;
    if (def.mainFileName) name = def.mainFileName(name, f.content.toString('utf8'));
    else if (!def.extensions.some((ext) => name.endsWith(ext))) name = `${name}${def.extensions[0]}`;
    return { name, content: f.content, utf8: true };
  });
  return { main: files[mainIndex]!, files };
}

export async function executeJob(env: JobEnv, job: JobRequest, signal?: AbortSignal): Promise<ExecuteResponse> {
  const def = job.runtime.def;
  const id = randomBytes(6).toString('hex');
  const { main, files } = prepareFiles(job);
  const sources = [main, ...files.filter((f) => f.utf8 && f !== main)];
  const ctx = (memoryBytes: number): CommandContext => ({ main, sources, args: job.args, memoryBytes, cxxPch: env.sandbox.pchDir !== null });
  const names = new Set(files.map((f) => f.name));
  if (names.size !== files.length) throw new JobInputError(`the main file's name (${main.name}) clashes with another file of the request`);
  const response: Draft = { language: def.language, version: job.runtime.version };

  const compile = def.compile ? def.compile.command(ctx(job.compile.memoryBytes)) : null;
  const key = compile ? env.cache.key({ language: def.language, version: job.runtime.version, argv: compile.argv, env: compile.env, files }) : '';
  const lookup = process.hrtime.bigint();
  const cached = compile ? await env.cache.get(key) : null;
  const lookupMs = Math.round(Number(process.hrtime.bigint() - lookup) / 1e6);
  if (def.compile && cached && names.has(def.compile.artefact)) throw new JobInputError(`a file may not be named ${def.compile.artefact} in ${def.language}`);

  const uid = await env.uids.acquire();
  const hold = { uid: false };
  try {
    // One stage (interpreted, or compiled and found in the cache): bwrap makes /box itself and copies the files
    // in. Two stages share a host tmpfs, mounted for this job.
    if (!compile || cached) {
      const boxFiles = files.map((f) => ({ name: f.name, content: f.content, mode: 0o644 }));
      if (cached && def.compile) {
        boxFiles.push({ name: def.compile.artefact, content: cached.artefact, mode: 0o755 });
        // No compile ran: its output is the first compile's, its time the cache's.
        response.compile = { ...cached.compile, cpu_time: 0, wall_time: lookupMs, memory: 0, cached: true };
      }
      const run = await runStage(env.sandbox, {
        name: `${id}-run`,
        ...runCommand(def.run(ctx(job.run.memoryBytes))),
        box: { size: env.boxSize, files: boxFiles },
        uid,
        stdin: job.stdin,
        // bwrap copies the files in under the stage's RLIMIT_FSIZE: a compiled program may be larger than it.
        limits: { ...job.run, fileSize: Math.max(job.run.fileSize, ...boxFiles.map((f) => f.content.length)) },
        signal,
      });
      return { ...response, run };
    }
    return await compileAndRun(env, job, { id, uid, files, key, compile, ctx, response, signal, hold });
  } finally {
    if (!hold.uid) await env.uids.release(uid);
  }
}

const runCommand = (c: SandboxCommand) => ({ argv: c.argv, env: c.env });

/** The response while its stages run. */
type Draft = Omit<ExecuteResponse, 'run'>;

async function compileAndRun(
  env: JobEnv,
  job: JobRequest,
  o: { id: string; uid: number; files: SourceFile[]; key: string; compile: SandboxCommand; ctx: (memoryBytes: number) => CommandContext; response: Draft; signal?: AbortSignal; hold: { uid: boolean } },
): Promise<ExecuteResponse> {
  const def = job.runtime.def;
  const { response } = o;
  const box = await createBox(env.instance, o.id, o.uid, env.boxSize);
  try {
    for (const f of o.files) await writeBoxFile(box.dir, f.name, f.content, o.uid, 0o644);
    response.compile = await runStage(env.sandbox, {
      name: `${o.id}-compile`,
      ...runCommand(o.compile),
      box: { hostDir: box.dir },
      uid: o.uid,
      stdin: '',
      // Linkers write large intermediate files (rustc's ld passes 10 MB): the box's size bounds a compile.
      limits: { ...job.compile, fileSize: Math.max(job.compile.fileSize, env.boxSize) },
      signal: o.signal,
    });
    const compiled = response.compile;
    if (compiled.code !== 0 || compiled.status !== null) return { ...response, compile: compiled, run: compiled };
    if (env.cache.enabled) {
      // The compile's processes are all gone (its cgroup is empty): nothing changes the box meanwhile.
      const artefact = await readArtefact(box.dir, def.compile!.artefact, env.boxSize);
      if (artefact) await env.cache.put(o.key, { artefact, compile: compiled });
    }
    const run = await runStage(env.sandbox, {
      name: `${o.id}-run`,
      ...runCommand(def.run(o.ctx(job.run.memoryBytes))),
      box: { hostDir: box.dir },
      uid: o.uid,
      stdin: job.stdin,
      limits: job.run,
      signal: o.signal,
    });
    return { ...response, run };
  } finally {
    // The uid goes back to the pool only once the box is gone: a box that would not unmount may still hold
    // something of the candidate's.
    await destroyBox(box).catch((error: Error) => {
      o.hold.uid = true;
      env.log(`runner: job ${o.id}: cannot remove its box, uid ${o.uid} kept out of the pool: ${error.message}`);
    });
  }
}

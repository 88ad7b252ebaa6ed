// Compiled programs by source hash, so the same code compiles once (Java, Kotlin, Rust, Go, C, C++).
//
// Safety (Judge0's CVE-2024-28185/28189: the host followed a symlink the candidate made): the host takes exactly
// one file out of a box, at a fixed name in the box's top folder, which is the tmpfs' own root (the candidate
// cannot replace it). It opens it with O_NOFOLLOW | O_NONBLOCK (a symlink fails, a FIFO does not block), checks on
// the open descriptor that it is a regular file of bounded size, and reads through that descriptor. The cache
// folder is the host's alone (0700); entries are written to a temporary name and renamed. A cached program is
// only ever run inside a sandbox, and only for a request with byte-identical inputs (the key covers the language,
// version, compile command and every file), so an entry a malicious compile produced serves nobody else.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageResult } from '../types.ts';

const FORMAT = 1;

export interface CacheEntry {
  artefact: Buffer;
  compile: StageResult;
}

export interface CompileCache {
  enabled: boolean;
  key(parts: { language: string; version: string; argv: string[]; env?: Record<string, string>; files: Array<{ name: string; content: Buffer }> }): string;
  get(key: string): Promise<CacheEntry | null>;
  put(key: string, entry: CacheEntry): Promise<void>;
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

export async function createCompileCache(dir: string | null, maxBytes: number, log: (line: string) => void): Promise<CompileCache> {
  const index = new Map<string, { bytes: number; used: number }>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  const key: CompileCache['key'] = (parts) => {
    const hash = createHash('sha256');
    hash.update(JSON.stringify({ format: FORMAT, language: parts.language, version: parts.version, argv: parts.argv, env: parts.env ?? {} }));
    for (const f of parts.files) {
      hash.update(`\0${f.name}\0${f.content.length}\0`);
      hash.update(f.content);
    }
    return hash.digest('hex');
  };
  if (!dir) {
    return {
      enabled: false,
      key,
      get: async () => null,
      put: async () => {},
      stats: () => ({ entries: 0, bytes: 0, hits, misses }),
    };
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      const m = /^([0-9a-f]{64})\.bin$/.exec(name);
      if (!m) continue;
      const s = await stat(path.join(dir, name)).catch(() => null);
      if (!s) continue;
      index.set(m[1]!, { bytes: s.size, used: s.mtimeMs });
      bytes += s.size;
    }
  } catch (error) {
    log(`runner: compile cache disabled, ${dir} is not usable: ${(error as Error).message}`);
    return { enabled: false, key, get: async () => null, put: async () => {}, stats: () => ({ entries: 0, bytes: 0, hits, misses }) };
  }

  async function evict() {
    const byAge = [...index.entries()].sort((a, b) => a[1].used - b[1].used);
    for (const [k, v] of byAge) {
      if (bytes <= maxBytes) break;
      index.delete(k);
      bytes -= v.bytes;
      await unlink(path.join(dir!, `${k}.bin`)).catch(() => {});
      await unlink(path.join(dir!, `${k}.json`)).catch(() => {});
    }
  }

  return {
    enabled: true,
    key,
    async get(k) {
      const known = index.get(k);
      if (!known) {
        misses++;
        return null;
      }
      try {
        const [artefact, meta] = await Promise.all([readFile(path.join(dir, `${k}.bin`)), readFile(path.join(dir, `${k}.json`), 'utf8')]);
        known.used = Date.now();
        hits++;
        return { artefact, compile: JSON.parse(meta) as StageResult };
      } catch {
        index.delete(k);
        bytes -= known.bytes;
        misses++;
        return null;
      }
    },
    async put(k, entry) {
      if (entry.artefact.length > maxBytes / 4) return;
      const tmp = `.${k}.${randomBytes(4).toString('hex')}`;
      try {
        await writeFile(path.join(dir, `${tmp}.json`), JSON.stringify(entry.compile), { mode: 0o600 });
        await writeFile(path.join(dir, `${tmp}.bin`), entry.artefact, { mode: 0o600 });
        await rename(path.join(dir, `${tmp}.json`), path.join(dir, `${k}.json`));
        await rename(path.join(dir, `${tmp}.bin`), path.join(dir, `${k}.bin`));
        const old = index.get(k);
        if (old) bytes -= old.bytes;
        index.set(k, { bytes: entry.artefact.length, used: Date.now() });
        bytes += entry.artefact.length;
        await evict();
      } catch (error) {
        log(`runner: compile cache write failed: ${(error as Error).message}`);
        await unlink(path.join(dir, `${tmp}.json`)).catch(() => {});
        await unlink(path.join(dir, `${tmp}.bin`)).catch(() => {});
      }
    },
    stats: () => ({ entries: index.size, bytes, hits, misses }),
  };
}

/**
 * Reads the compile's artefact out of a box: one regular file at a fixed name in the box's top folder, never
 * through a symlink, never blocking on a FIFO, at most `maxBytes`. Null when it is anything else.
 */
export async function readArtefact(boxDir: string, name: string, maxBytes: number): Promise<Buffer | null> {
  if (name.includes('/') || name === '.' || name === '..') throw new Error(`artefact name must be a plain file name: ${name}`);
  let handle;
  try {
    handle = await open(path.join(boxDir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const s = await handle.stat();
    if (!s.isFile() || s.size > maxBytes) return null;
    const content = await handle.readFile();
    return content.length > maxBytes ? null : content;
  } finally {
    await handle.close();
  }
}

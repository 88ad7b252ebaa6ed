// The compile cache's one host-side read of a box (CVE-2024-28185: a host that followed a candidate's symlink):
// a symlink, a FIFO, a folder or an oversized file is refused, never followed or waited on.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompileCache, readArtefact } from '../src/cache/compile-cache.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'runner-artefact-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readArtefact', () => {
  it('reads a regular file', async () => {
    await writeFile(path.join(dir, 'a.out'), 'ELF…');
    expect((await readArtefact(dir, 'a.out', 1024))?.toString()).toBe('ELF…');
  });

  it('refuses a symlink, even to a readable file', async () => {
    await writeFile(path.join(dir, 'secret'), 'host secret');
    await symlink(path.join(dir, 'secret'), path.join(dir, 'link.out'));
    expect(await readArtefact(dir, 'link.out', 1024)).toBeNull();
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo.out')]);
    expect(await readArtefact(dir, 'fifo.out', 1024)).toBeNull();
  });

  it('refuses a folder, a file over the size limit, and a name with a path', async () => {
    await mkdir(path.join(dir, 'folder.out'));
    expect(await readArtefact(dir, 'folder.out', 1024)).toBeNull();
    await writeFile(path.join(dir, 'big.out'), Buffer.alloc(2048));
    expect(await readArtefact(dir, 'big.out', 1024)).toBeNull();
    await expect(readArtefact(dir, '../a.out', 1024)).rejects.toThrow(/plain file name/);
    expect(await readArtefact(dir, 'missing.out', 1024)).toBeNull();
  });
});

describe('compile cache', () => {
  it('keys on every input, stores, and evicts the least recently used past its size', async () => {
    const cacheDir = path.join(dir, 'cache');
    const cache = await createCompileCache(cacheDir, 2000, () => {});
    const key = (content: string, argv = ['gcc']) => cache.key({ language: 'c', version: '12.2.0', argv, files: [{ name: 'main.c', content: Buffer.from(content) }] });
    expect(key('a')).not.toBe(key('b'));
    expect(key('a')).not.toBe(key('a', ['gcc', '-O2']));
    expect(key('a')).toBe(key('a'));
    const stage = { stdout: '', stderr: '', output: '', code: 0, signal: null, message: null, status: null, cpu_time: 1, wall_time: 1, memory: 1 };
    await cache.put(key('a'), { artefact: Buffer.alloc(500, 1), compile: stage });
    await new Promise((r) => setTimeout(r, 5));
    await cache.put(key('b'), { artefact: Buffer.alloc(500, 2), compile: stage });
    await new Promise((r) => setTimeout(r, 5));
    expect((await cache.get(key('a')))?.artefact[0]).toBe(1); // a is now the most recent
    await cache.put(key('c'), { artefact: Buffer.alloc(500, 3), compile: stage });
    await cache.put(key('d'), { artefact: Buffer.alloc(500, 4), compile: stage });
    expect(cache.stats()).toMatchObject({ entries: 4, bytes: 2000 });
    await cache.put(key('e'), { artefact: Buffer.alloc(500, 5), compile: stage }); // 2500 > 2000: b goes
    expect(await cache.get(key('b'))).toBeNull();
    expect((await cache.get(key('a')))?.artefact[0]).toBe(1);
    expect((await cache.get(key('d')))?.compile).toEqual(stage);
    // A new runner on the same folder finds the entries.
    const again = await createCompileCache(cacheDir, 2000, () => {});
    expect((await again.get(key('d')))?.artefact.length).toBe(500);
    // Larger than a quarter of the cache: not kept.
    await cache.put(key('f'), { artefact: Buffer.alloc(600), compile: stage });
    expect(await cache.get(key('f'))).toBeNull();
  });
});

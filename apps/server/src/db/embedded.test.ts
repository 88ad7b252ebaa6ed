/**
 * The embedded PostgreSQL run as root from a private folder (a clone under /root or `mktemp -d`, both 0700): the
 * postgres OS user cannot reach it, and Pairview must not loosen it (issue 11). The data and, when needed, the
 * binaries move to a state folder of their own; the private folder keeps its mode. Root only (CI runs as root).
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test-support/ports.ts';
import { reachableByOthers, rootLayout } from './embedded-layout.ts';
import { startEmbeddedPostgres } from './embedded.ts';

const asRoot = process.getuid?.() === 0;
const made: string[] = [];

async function tempDir(prefix: string, mode: number): Promise<string> {
  const dir = await mkdtemp(join('/tmp', prefix));
  await chmod(dir, mode);
  made.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!asRoot)('the embedded PostgreSQL as root, from a private folder', () => {
  it('keeps its data in a folder of its own instead of opening the private one, and starts again from it', { timeout: 120_000 }, async () => {
    const project = await tempDir('pv-private-', 0o700);
    const state = await tempDir('pv-state-', 0o755);
    const dataDir = join(project, '.data', 'postgres');
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(`warning: ${m}`) };

    for (const round of [1, 2]) {
      const database = await startEmbeddedPostgres({ dataDir, port: await freePort(), stateRoot: state }, log);
      try {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        expect((await client.query('select current_user as who')).rows[0].who).toBe('postgres');
        await client.end();
      } finally {
        await database.stop();
      }
      if (round === 1) expect(lines.some((l) => l.startsWith('creating the embedded PostgreSQL cluster in ' + join(state, 'data')))).toBe(true);
    }
    expect(lines.filter((l) => l.startsWith('creating'))).toHaveLength(1);
    expect(lines.some((l) => l.includes(`cannot reach ${dataDir}`))).toBe(true);
    expect(lines.some((l) => l.startsWith('warning:'))).toBe(false);
    // Nothing of the project was opened up; the data is postgres's alone.
    expect((await stat(project)).mode & 0o777).toBe(0o700);
    const [id] = await readdir(join(state, 'data'));
    const data = await stat(join(state, 'data', id!, 'postgres'));
    expect(data.mode & 0o777).toBe(0o700);
    expect(data.uid).not.toBe(0);
  });

  it('copies the binaries once per version when their folder cannot be reached either', async () => {
    const project = await tempDir('pv-private-', 0o700);
    const state = await tempDir('pv-state-', 0o755);
    const native = join(project, 'node_modules', 'native');
    await mkdir(join(native, 'bin'), { recursive: true });
    await writeFile(join(native, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    const reachable = await tempDir('pv-open-', 0o755);
    const layout = await rootLayout({ binDir: join(native, 'bin'), version: 'test-1', dataDir: join(reachable, 'postgres'), stateRoot: state });
    expect(layout).toEqual({ binDir: join(state, 'postgres-test-1', 'bin'), dataDir: join(reachable, 'postgres') });
    expect((await stat(join(layout.binDir, 'postgres'))).mode & 0o777).toBe(0o755);
    expect(await reachableByOthers(layout.binDir)).toBe(true);
    expect((await stat(project)).mode & 0o777).toBe(0o700);
    // Already there: used as it is.
    expect((await rootLayout({ binDir: join(native, 'bin'), version: 'test-1', dataDir: join(reachable, 'postgres'), stateRoot: state })).binDir).toBe(layout.binDir);
  });
});

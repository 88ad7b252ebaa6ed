// A uid per job, never shared while in use, across every runner on the machine.
// RLIMIT_NPROC counts the processes of a real uid over the whole system, so two sandboxes on one uid limit each
// other (and the first one's fork bomb stops the second from starting). Each runner process takes a uid by
// creating `<stateDir>/uids/<uid>` with O_EXCL (its pid inside); a lock whose owner died is taken over once no
// process of that uid is left.
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, pidsOfUid } from './host.ts';

export interface UidPool {
  acquire(): Promise<number>;
  release(uid: number): Promise<void>;
}

export async function createUidPool(stateDir: string, base: number, count: number, noCgroups: boolean): Promise<UidPool> {
  const dir = path.join(stateDir, 'uids');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let next = Math.floor(Math.random() * count);

  async function tryTake(uid: number): Promise<boolean> {
    const file = path.join(dir, String(uid));
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      // A lock being written this instant reads empty: leave it to its writer.
      if (!owner || owner === process.pid || isAlive(owner)) return false;
      // Its runner died: kill what it left on this uid, free the lock and use other uids meanwhile.
      for (const pid of await pidsOfUid(uid)) killQuietly(pid);
      await unlink(file).catch(() => {});
      return false;
    }
    // With cgroups, a uid is released only once its job's cgroup is empty. Without, bwrap's pid 1 may still be
    // dying from the last job on this uid: take a uid with nothing left on it.
    if (noCgroups && (await pidsOfUid(uid)).length > 0) {
      await unlink(file).catch(() => {});
      return false;
    }
    return true;
  }

  return {
    async acquire() {
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < count; i++) {
          const uid = base + ((next + i) % count);
          if (await tryTake(uid)) {
            next = (next + i + 1) % count; // round-robin: a freed uid rests while the others are used
            return uid;
          }
        }
      }
      throw new Error(`no free sandbox uid in ${base}–${base + count - 1}: raise RUNNER_UID_COUNT`);
    },
    async release(uid) {
      // Without cgroups nothing proved the uid is empty: its lock stays until /proc shows it is (next acquire).
      if (noCgroups && (await pidsOfUid(uid)).length > 0) return releaseLater(uid);
      await unlink(path.join(dir, String(uid))).catch(() => {});
    },
  };

  function releaseLater(uid: number) {
    const timer = setInterval(async () => {
      const left = await pidsOfUid(uid);
      for (const pid of left) killQuietly(pid);
      if (left.length === 0) {
        clearInterval(timer);
        await unlink(path.join(dir, String(uid))).catch(() => {});
      }
    }, 200);
    timer.unref();
  }
}

/** Removes the uid locks of runners that died (at start). */
export async function sweepUidLocks(stateDir: string): Promise<number> {
  const dir = path.join(stateDir, 'uids');
  let swept = 0;
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, entry);
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner && !isAlive(owner)) {
      for (const pid of await pidsOfUid(Number(entry))) killQuietly(pid);
      await unlink(file).catch(() => {});
      swept++;
    }
  }
  return swept;
}

function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

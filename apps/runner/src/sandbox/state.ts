// The runner's host-side state: a folder per runner process under the machine-wide state dir, holding its
// seccomp filter, the bind of its Node binary and the mount points of its jobs' boxes.
//
//   <stateDir>/                    0711 root
//     uids/<uid>                   uid locks (uids.ts)
//     instances/<pid>-<rand>/      0711 root: one per runner process
//       seccomp.bpf                0600 root, opened by the runner and passed to bwrap as fd 3
//       node                       a bind mount of process.execPath (its own path may sit in a 0700 /root)
//       boxes/<job>                a tmpfs per job (mode 700, owned by the job's uid), bound at /box
//
// Folders are 0711 so the unprivileged bwrap can reach its box by path without listing anyone else's.
// Nothing here is ever removed recursively: a box is unmounted first, then its (empty) mount point rmdir'ed, so
// the host never walks what a candidate wrote.
import { chmod, mkdir, open, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, mountsUnder, runHost } from './host.ts';

export interface Instance {
  name: string;
  dir: string;
  seccompFile: string;
  /** Host path of the Node binary as the sandbox's bwrap can reach it, or null when it could not be bound. */
  nodeBinary: string | null;
}

export function instanceIsLive(name: string): boolean {
  const pid = Number(name.split('-')[0]);
  return Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid));
}

export async function createInstance(stateDir: string, seccompFilter: Buffer, log: (line: string) => void, name: string): Promise<Instance> {
  await mkdir(stateDir, { recursive: true, mode: 0o711 });
  await chmod(stateDir, 0o711);
  const instances = path.join(stateDir, 'instances');
  await mkdir(instances, { recursive: true, mode: 0o711 });
  await chmod(instances, 0o711);
  const dir = path.join(instances, name);
  await mkdir(path.join(dir, 'boxes'), { recursive: true, mode: 0o711 });
  await chmod(dir, 0o711);
  await chmod(path.join(dir, 'boxes'), 0o711);
  const seccompFile = path.join(dir, 'seccomp.bpf');
  await writeFile(seccompFile, seccompFilter, { mode: 0o600 });

  let nodeBinary: string | null = path.join(dir, 'node');
  await (await open(nodeBinary, 'w', 0o755)).close();
  const bound = await runHost('mount', ['--bind', process.execPath, nodeBinary]);
  if (bound.code !== 0) {
    log(`runner: cannot bind the Node binary for the sandbox (${bound.stderr.trim() || bound.error}); TypeScript is unavailable`);
    await unlink(nodeBinary).catch(() => {});
    nodeBinary = null;
  }
  return { name, dir, seccompFile, nodeBinary };
}

/** Unmounts everything under `dir` (deepest first); true when nothing is left mounted there. */
async function unmountAll(dir: string): Promise<boolean> {
  for (const point of await mountsUnder(dir)) {
    const result = await runHost('umount', [point]);
    if (result.code !== 0) await runHost('umount', ['-l', point]);
  }
  return (await mountsUnder(dir)).length === 0;
}

/** Removes an instance folder that holds only what createInstance and the boxes put there. */
async function removeInstanceDir(dir: string): Promise<void> {
  if (!(await unmountAll(dir))) throw new Error(`${dir} still has mounts`);
  for (const box of await readdir(path.join(dir, 'boxes')).catch(() => [] as string[])) {
    await rmdir(path.join(dir, 'boxes', box)).catch(() => {});
  }
  await rmdir(path.join(dir, 'boxes')).catch(() => {});
  await unlink(path.join(dir, 'seccomp.bpf')).catch(() => {});
  await unlink(path.join(dir, 'node')).catch(() => {});
  await rmdir(path.join(dir, 'pch')).catch(() => {});
  await rmdir(dir);
}

/** At start: unmount and remove what runners that died left behind (their cgroups are swept before). */
export async function sweepInstances(stateDir: string, log: (line: string) => void): Promise<number> {
  let swept = 0;
  const instances = path.join(stateDir, 'instances');
  for (const name of await readdir(instances).catch(() => [] as string[])) {
    if (instanceIsLive(name)) continue;
    try {
      await removeInstanceDir(path.join(instances, name));
      swept++;
    } catch (error) {
      log(`runner: could not clean the stale ${name}: ${(error as Error).message}`);
    }
  }
  return swept;
}

/** Shows a host folder at `<instance>/<name>` (a bind mount), where the unprivileged bwrap can reach it. */
export async function bindIntoInstance(instance: Instance, name: string, source: string): Promise<string> {
  const target = path.join(instance.dir, name);
  await mkdir(target, { mode: 0o755 });
  const bound = await runHost('mount', ['--bind', source, target]);
  if (bound.code !== 0) {
    await rmdir(target).catch(() => {});
    throw new Error(`cannot bind ${source}: ${bound.stderr.trim() || bound.error}`);
  }
  return target;
}

export async function closeInstance(instance: Instance): Promise<void> {
  await removeInstanceDir(instance.dir);
}

export interface Box {
  /** Host path of the tmpfs. */
  dir: string;
  uid: number;
}

/** A fresh tmpfs for one job, owned by its uid. nosuid,nodev; exec is allowed (compiled programs run from it). */
export async function createBox(instance: Instance, job: string, uid: number, sizeBytes: number): Promise<Box> {
  const dir = path.join(instance.dir, 'boxes', job);
  await mkdir(dir, { mode: 0o700 });
  const inodes = 4096;
  const result = await runHost('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},nr_inodes=${inodes},mode=700,uid=${uid},gid=${uid},nosuid,nodev`, 'pairview-box', dir]);
  if (result.code !== 0) {
    await rmdir(dir).catch(() => {});
    throw new Error(`cannot mount the job's tmpfs: ${result.stderr.trim() || result.error}`);
  }
  return { dir, uid };
}

export async function destroyBox(box: Box): Promise<void> {
  const result = await runHost('umount', [box.dir]);
  if (result.code !== 0 && !(await unmountAll(box.dir))) throw new Error(`cannot unmount ${box.dir}: ${result.stderr.trim()}`);
  await rmdir(box.dir);
}

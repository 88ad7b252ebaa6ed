/**
 * The full directory sync: at start and every night at 02:00 in the company's time zone, Pairview reads the
 * whole WeCom directory and brings `people` in line (new members created, renames and moves applied, members
 * gone from WeCom or no longer active deactivated and signed out). change_contact callbacks keep it current in
 * between (inbound/); the nightly sync catches whatever a lost callback missed.
 *
 * The nightly run is a graphile-worker job that plans its successor (like the 09:00 digest), keyed so there is
 * one plan per cluster; two processes syncing at the same moment take turns on an advisory lock, the second
 * skips.
 */
import type { Task, TaskList } from 'graphile-worker';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/pool.ts';
import { addJob } from '../../notifications/schedule.ts';
import { syncDirectory } from '../../people/people.ts';
import { localParts, zonedInstant } from '../../time.ts';
import type { WeComGlueDeps } from '../deps.ts';
import { recordJobRun } from '../job-runs.ts';
import { readDirectory } from './read.ts';

export const DIRECTORY_SYNC_TASK = 'wecom_directory_sync';
/** Local hour of the nightly sync: quiet, and done before the 09:00 digest reads the directory. */
export const DIRECTORY_SYNC_HOUR = 2;
/** Arbitrary but fixed: the advisory lock key of a running directory sync ("WCDS"). */
const SYNC_LOCK_KEY = 0x5743_4453;

export type DirectorySyncResult =
  | { status: 'synced'; members: number; created: number; updated: number; deactivated: number }
  | { status: 'skipped'; reason: string };

type SyncDeps = Pick<WeComGlueDeps, 'client' | 'db' | 'pool' | 'clock'>;

/**
 * Reads the directory and applies it. Records the outcome for /healthz; throws when WeCom could not be read
 * (nothing is changed then).
 */
export async function runDirectorySync(deps: SyncDeps): Promise<DirectorySyncResult> {
  const lock = await deps.pool.connect();
  try {
    const { rows } = await lock.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [SYNC_LOCK_KEY]);
    if (!rows[0]!.locked) return { status: 'skipped', reason: 'another Pairview process is syncing the directory' };
    try {
      let members;
      try {
        members = await readDirectory(deps.client);
      } catch (error) {
        await recordJobRun(deps.db, 'directory_sync', deps.clock.now(), { ok: false, error });
        throw error;
      }
      const counts = await syncDirectory(deps.db, members, deps.clock);
      const result = { status: 'synced' as const, members: members.length, ...counts };
      await recordJobRun(deps.db, 'directory_sync', deps.clock.now(), {
        ok: true,
        detail: { members: result.members, created: counts.created, updated: counts.updated, deactivated: counts.deactivated },
      });
      return result;
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [SYNC_LOCK_KEY]);
    }
  } finally {
    lock.release();
  }
}

/** The first DIRECTORY_SYNC_HOUR:00 in `timeZone` strictly after `instant`. */
export function nextDirectorySyncAt(instant: Date, timeZone: string): Date {
  const { year, month, day } = localParts(instant, timeZone);
  const today = zonedInstant(timeZone, year, month, day, DIRECTORY_SYNC_HOUR);
  return today > instant ? today : zonedInstant(timeZone, year, month, day + 1, DIRECTORY_SYNC_HOUR);
}

async function planDirectorySync(db: Db, runAt: Date, mode: 'replace' | 'preserve_run_at'): Promise<void> {
  await db.transaction().execute((tx) => addJob(tx, DIRECTORY_SYNC_TASK, {}, { runAt, jobKey: DIRECTORY_SYNC_TASK, mode }));
}

/** At start: make sure the next nightly sync is planned (an existing plan keeps its time). */
export async function ensureDirectorySyncPlanned(db: Db, clock: Clock, timeZone: string): Promise<void> {
  await planDirectorySync(db, nextDirectorySyncAt(clock.now(), timeZone), 'preserve_run_at');
}

export function directoryTasks(deps: SyncDeps & { timeZone: string; log: WeComGlueDeps['log'] }): TaskList {
  const nightly: Task = async () => {
    // Plan tomorrow's first: a failing run is retried by graphile-worker without losing the nightly rhythm.
    await planDirectorySync(deps.db, nextDirectorySyncAt(deps.clock.now(), deps.timeZone), 'replace');
    const result = await runDirectorySync(deps);
    if (result.status === 'synced') {
      deps.log.info(`directory sync: ${result.members} members (${result.created} new, ${result.updated} updated, ${result.deactivated} deactivated)`);
    }
  };
  return { [DIRECTORY_SYNC_TASK]: nightly };
}

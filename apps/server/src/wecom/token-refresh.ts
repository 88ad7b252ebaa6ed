/**
 * Keeping the access token fresh ahead of expiry: a graphile-worker job every 5 minutes asks the SDK to refresh
 * the token if it is past 80% of its life (WeCom gives 7200 s, §2). With the token in PostgreSQL, one process
 * fetches and every other process reads it; a send never waits for gettoken. Like the nightly sync, the job
 * plans its successor under one job key, so a cluster runs one chain of refreshes.
 */
import type { Task, TaskList } from 'graphile-worker';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import { addJob } from '../notifications/schedule.ts';
import type { WeComGlueDeps } from './deps.ts';
import { errcodeOf, recordJobRun } from './job-runs.ts';

export const TOKEN_REFRESH_TASK = 'wecom_token_refresh';
/** Well inside the 20% of a 7200 s token left after the SDK's refresh point (1440 s). */
export const TOKEN_REFRESH_EVERY_MS = 5 * 60_000;

type RefreshDeps = Pick<WeComGlueDeps, 'client' | 'db' | 'clock' | 'log'>;

/** Refreshes if due; records the outcome for /healthz. Never throws: the next run is 5 minutes away. */
export async function refreshTokenIfDue(deps: RefreshDeps): Promise<{ refreshed: boolean } | { error: unknown }> {
  try {
    const result = await deps.client.tokens.refreshIfDue();
    const refreshed = result.access_token === true;
    await recordJobRun(deps.db, 'token_refresh', deps.clock.now(), { ok: true, detail: { refreshed } });
    return { refreshed };
  } catch (error) {
    await recordJobRun(deps.db, 'token_refresh', deps.clock.now(), { ok: false, error });
    const errcode = errcodeOf(error);
    // WeComError messages name the cause (60020 names the IP WeCom saw) and never the secret or token.
    deps.log.warn(`WeCom token refresh failed${errcode !== null ? ` (errcode ${errcode})` : ''}: ${error instanceof Error ? error.message : String(error)}`);
    return { error };
  }
}

async function planTokenRefresh(db: Db, runAt: Date, mode: 'replace' | 'preserve_run_at'): Promise<void> {
  await db.transaction().execute((tx) => addJob(tx, TOKEN_REFRESH_TASK, {}, { runAt, jobKey: TOKEN_REFRESH_TASK, mode }));
}

/** At start: make sure a refresh is planned (an existing plan keeps its time). */
export async function ensureTokenRefreshPlanned(db: Db, clock: Clock): Promise<void> {
  await planTokenRefresh(db, new Date(clock.now().getTime() + TOKEN_REFRESH_EVERY_MS), 'preserve_run_at');
}

export function tokenTasks(deps: RefreshDeps): TaskList {
  const task: Task = async () => {
    await planTokenRefresh(deps.db, new Date(deps.clock.now().getTime() + TOKEN_REFRESH_EVERY_MS), 'replace');
    await refreshTokenIfDue(deps);
  };
  return { [TOKEN_REFRESH_TASK]: task };
}

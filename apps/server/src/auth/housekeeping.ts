/**
 * Hourly housekeeping: expired sessions and OAuth states are refused as soon as they expire (sessions.ts,
 * oauth-states.ts), but their rows would stay forever; this deletes them. It runs on graphile-worker's cron, which
 * schedules each hour once for the whole cluster however many worker processes run (a known-crontabs row per item
 * records the last hour scheduled), so several processes never double the work.
 */
import { parseCronItems, type TaskList } from 'graphile-worker';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import { deleteExpiredOAuthStates } from './oauth-states.ts';
import { deleteExpiredSessions } from './sessions.ts';

export const HOUSEKEEPING_TASK = 'delete_expired_auth';

/** Every hour on the hour; an hour missed while no worker ran is not made up (the next one does the same work). */
export const housekeepingCron = parseCronItems([
  {
    task: HOUSEKEEPING_TASK,
    identifier: HOUSEKEEPING_TASK,
    match: '0 * * * *',
    options: { backfillPeriod: 0, maxAttempts: 3, jobKey: HOUSEKEEPING_TASK },
  },
]);

export function housekeepingTasks(deps: { db: Db; clock: Clock }): TaskList {
  return {
    [HOUSEKEEPING_TASK]: async (_payload, helpers) => {
      const sessions = await deleteExpiredSessions(deps.db, deps.clock);
      const states = await deleteExpiredOAuthStates(deps.db, deps.clock);
      helpers.logger.info(`housekeeping: deleted ${sessions} expired session(s) and ${states} expired OAuth state(s)`);
    },
  };
}

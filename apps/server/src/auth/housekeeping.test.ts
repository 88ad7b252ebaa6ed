/**
 * The hourly housekeeping, run by the real worker (startWorker) on graphile-worker's cron. The cron reads the
 * process's clock (Date), so the test fakes Date alone (timers stay real) and moves it across the hour; the rows'
 * expiry is judged by the app's clock, moved with it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock, createMigratedDatabase, createPerson, queuedJobs, startTestWorker, type MigratedTestDatabase } from '../../test/helpers.ts';
import { HOUSEKEEPING_TASK } from './housekeeping.ts';
import { createOAuthState, consumeOAuthState } from './oauth-states.ts';
import { createSession } from './sessions.ts';

const HOUR = 3600_000;

describe('hourly housekeeping', () => {
  let database: MigratedTestDatabase;
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_housekeeping');
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('deletes expired sessions and OAuth states on the hour, and keeps live ones', async () => {
    // graphile-worker's cron makes a job due at the hour it fires (run_at = that hour, judged by the database's
    // clock): use the last hour boundary the database has passed, so the job is due at once when it is scheduled.
    const { rows } = await database.pool.query<{ hour: Date }>(`select date_trunc('hour', now()) as hour`);
    const onTheHour = rows[0]!.hour.getTime();
    const clock = new ManualClock(new Date(onTheHour - 2 * HOUR));

    const person = await createPerson(database.db);
    const shortSession = await createSession(database.db, person.id, { clock, ttlHours: 1 });
    const longSession = await createSession(database.db, person.id, { clock, ttlHours: 24 });
    const unusedState = await createOAuthState(database.db, clock, { purpose: 'sign_in', browserNonce: 'nonce' });
    const usedState = await createOAuthState(database.db, clock, { purpose: 'sign_in', browserNonce: 'nonce' });
    await consumeOAuthState(database.db, clock, usedState, 'nonce');
    clock.set(new Date(onTheHour - 5 * 60_000));
    const freshState = await createOAuthState(database.db, clock, { purpose: 'sign_in', browserNonce: 'nonce' });

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(onTheHour - 30);
    const worker = await startTestWorker(database, { clock });
    try {
      const scheduled = new Promise<number>((resolve) => {
        worker.events.on('cron:scheduled', ({ timestamp }) => resolve(timestamp));
      });
      const done = new Promise<void>((resolve, reject) => {
        worker.events.on('job:complete', ({ job, error }) => {
          if (job.task_identifier !== HOUSEKEEPING_TASK) return;
          if (error) reject(error as Error);
          else resolve();
        });
      });
      // Nothing before the hour: the cron fires on minute boundaries only.
      expect(await queuedJobs(database.db, HOUSEKEEPING_TASK)).toEqual([]);
      expect(await database.db.selectFrom('sessions').select('id_hash').execute()).toHaveLength(2);

      // The hour strikes: the cron schedules the housekeeping job for it, and the worker runs it.
      clock.set(new Date(onTheHour + 200));
      vi.setSystemTime(onTheHour + 200);
      expect(await scheduled).toBe(onTheHour);
      await done;
    } finally {
      vi.useRealTimers();
      await worker.stop();
    }

    const sessions = await database.db.selectFrom('sessions').select('expires_at').execute();
    expect(sessions.map((s) => s.expires_at)).toEqual([longSession.expiresAt]);
    expect(shortSession.expiresAt.getTime()).toBeLessThan(onTheHour);
    const states = await database.db.selectFrom('oauth_states').select('state').execute();
    expect(states.map((s) => s.state)).toEqual([freshState]);
    expect([unusedState, usedState]).not.toContain(freshState);
  });
});

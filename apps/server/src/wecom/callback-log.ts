/**
 * The inbound half of the message log, ready for the glue's callback route: log a verified, decrypted callback
 * once (deduplicated on WeCom's key) together with the job that handles it, so the route can answer WeCom at once
 * (it waits 5 s, then retries the same callback up to 3 times: wecom-protocol.md, callbacks).
 */
import type pg from 'pg';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';

export const HANDLE_CALLBACK_TASK = 'handle_wecom_callback';

/**
 * event_type of a row claimed by the dedupe store of Pairview before issue 10 (a claim, then the log in a second
 * transaction) and never logged: the process stopped in between. Logging the callback on WeCom's retry fills it in.
 */
export const CLAIMED_EVENT_TYPE = 'claimed';

export interface InboundCallback {
  /** MsgId for messages; FromUserName + CreateTime (+ event details) for events. */
  dedupeKey: string;
  /** `text`, `event:enter_agent`, `event:template_card_event`, `event:change_contact`, … */
  eventType: string;
  raw: unknown;
}

export interface LoggedCallback {
  id: string;
  /** True when the dedupe key was already logged: no new job was added. */
  duplicate: boolean;
}

/** Returns the callback's id, and whether it had already been received (then no new job is added). */
export async function logInboundCallback(pool: pg.Pool, callback: InboundCallback, clock: Clock): Promise<LoggedCallback> {
  const [logged] = await logInboundCallbacks(pool, [callback], clock);
  return logged!;
}

/**
 * The statement of logInboundCallbacks. `logged` inserts (a row only claimed by an older Pairview's dedupe store is
 * this callback's, not yet logged: it is filled in); `jobs` adds one job per logged row. A data-modifying WITH runs
 * to completion; `jobs` runs because the final SELECT joins it, and count(*) reads add_jobs to its end. The jobs
 * need no job key: a row is logged once, and its job is added only here, with it (a key would only cost a random
 * index insert per job).
 *
 * `plans` switches this statement's transaction (one statement: it ends with it) to custom plans before add_jobs
 * runs. add_jobs is plpgsql, and its plans are cached per connection: the generic plan of its job-key update is a
 * sequential scan of graphile-worker's jobs table whenever that table was small when the connection first planned
 * it, so every later call read the whole queue (measured: 1.2 ms a statement at 5,000 queued jobs, 5.4 ms at
 * 25,000, until autovacuum's next ANALYZE). Custom plans are planned for the table as it is: flat at ~1.3 ms.
 */
const LOG_CALLBACKS = {
  // Named, so each connection parses and plans it once (planning was about a fifth of its PostgreSQL time).
  name: 'pairview_log_inbound_callbacks',
  text: `
    with input as (
      select * from jsonb_to_recordset($1::jsonb) as input(dedupe_key text, event_type text, raw jsonb)
    ),
    logged as (
      insert into inbound_callbacks as log (dedupe_key, event_type, raw, received_at)
      select dedupe_key, event_type, raw, $2::timestamptz from input
      on conflict (dedupe_key) do update set event_type = excluded.event_type, raw = excluded.raw
        where log.event_type = '${CLAIMED_EVENT_TYPE}'
      returning log.id, log.dedupe_key
    ),
    plans as (
      select set_config('plan_cache_mode', 'force_custom_plan', true)
    ),
    jobs as (
      select count(*) as added from plans, lateral graphile_worker.add_jobs(array(
        select ('${HANDLE_CALLBACK_TASK}', json_build_object('callbackId', id), null, null, 5, null, null, null)::graphile_worker.job_spec
        from logged
      ))
    )
    select logged.id::text, logged.dedupe_key from logged, jobs`,
} as const;

/**
 * Logs callbacks with their handler jobs in ONE statement, so one round trip and one commit serve them all (the
 * callback route batches the callbacks that arrive together: inbound/log-batch.ts). The statement is atomic: each
 * callback is logged with its job, or nothing is. A dedupe key that is already logged — WeCom's retry, or the same
 * key twice in `callbacks` — is a duplicate and adds no job. Results are in the order of `callbacks`. Plain SQL on
 * the pool (a named statement, which Kysely does not make).
 */
export async function logInboundCallbacks(pool: pg.Pool, callbacks: readonly InboundCallback[], clock: Clock): Promise<LoggedCallback[]> {
  if (callbacks.length === 0) return [];
  const firsts = new Map<string, InboundCallback>();
  for (const callback of callbacks) if (!firsts.has(callback.dedupeKey)) firsts.set(callback.dedupeKey, callback);
  const rows = [...firsts.values()].map((c) => ({ dedupe_key: c.dedupeKey, event_type: c.eventType, raw: c.raw }));
  const { rows: inserted } = await pool.query<{ id: string; dedupe_key: string }>({ ...LOG_CALLBACKS, values: [JSON.stringify(rows), clock.now()] });

  const ids = new Map(inserted.map((row) => [row.dedupe_key, row.id]));
  const logged = new Set(ids.keys());
  const duplicates = [...firsts.keys()].filter((key) => !ids.has(key));
  if (duplicates.length > 0) {
    // A later statement: it sees the row of a concurrent first delivery that committed while ours waited for it.
    const existing = await pool.query<{ id: string; dedupe_key: string }>('select id::text, dedupe_key from inbound_callbacks where dedupe_key = any($1)', [duplicates]);
    for (const row of existing.rows) ids.set(row.dedupe_key, row.id);
  }
  const seen = new Set<string>();
  return callbacks.map((callback) => {
    const id = ids.get(callback.dedupeKey);
    if (id === undefined) throw new Error(`inbound callback ${callback.dedupeKey} was neither logged nor found`);
    const first = !seen.has(callback.dedupeKey);
    seen.add(callback.dedupeKey);
    return { id, duplicate: !(first && logged.has(callback.dedupeKey)) };
  });
}

/** Records the outcome of handling a callback (the handler job calls it). */
export async function markCallbackHandled(db: Db, id: string, clock: Clock, error?: string): Promise<void> {
  await db
    .updateTable('inbound_callbacks')
    .set({ handled_at: clock.now(), error: error?.slice(0, 2000) ?? null })
    .where('id', '=', id)
    .execute();
}

/**
 * Quota state in PostgreSQL, so every process that shares the database shares WeCom's quotas (issue 10). Its own
 * table and function, created if missing (like PostgresTokenStore's wecom_credentials): the SDK owns them.
 *
 * One round trip per batch: `select wecom_quota_v1(now, ops)` runs every take / release / block / peek of the
 * batch in one transaction. It first locks the rows of every (key, window) it touches in one order — so two
 * batches never deadlock and never both take the last unit — then applies windows.ts's arithmetic in PL/pgSQL.
 * The transaction commits without waiting for the disk (synchronous_commit off, for it alone): a PostgreSQL crash
 * could forget the last moment's grants, and WeCom would then refuse a few sends with 45009, which the pipeline
 * retries; the round trip saved is on every send's path.
 */
import pg from 'pg';
import type { QuotaStore, ReleaseRequest } from './store.ts';
import type { ResolvedWindow, TakeRequest, TakeResult, WindowUsage } from './windows.ts';

export interface PostgresQuotaStoreOptions {
  /** A pool to use; the store does not end it. */
  pool?: pg.Pool;
  /** Or a connection string: the store opens (and `close()` ends) a small pool of its own. */
  connectionString?: string;
}

const TABLE = 'wecom_quota_windows';

const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS ${TABLE} (
    key           text             NOT NULL,
    window_id     text             NOT NULL,
    level         double precision NOT NULL DEFAULT 0,
    stamp         bigint           NOT NULL DEFAULT 0,
    slots         integer[],
    blocked_until bigint           NOT NULL DEFAULT 0,
    updated_at    timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (key, window_id)
  ) WITH (fillfactor = 70)`;

const COMMENT = `COMMENT ON TABLE ${TABLE} IS 'WeCom quota state of @pairview/wecom (PostgresQuotaStore): one row per quota key and window, shared by every process.'`;

/**
 * One window of one key: advance it to p_now, then check / take / release / block / peek. Returns
 * {available, retry_at for p_units (-1 never), blocked_until, used, remaining, resets_at}.
 * Mirrors windows.ts step for step (SLICES = 120).
 */
const WINDOW_FUNCTION = `
CREATE OR REPLACE FUNCTION ${TABLE}_step_v1(p_key text, p_w jsonb, p_now bigint, p_units double precision, p_mode text, p_at bigint DEFAULT 0)
RETURNS double precision[] LANGUAGE plpgsql AS $fn$
DECLARE
  v_kind text := p_w->>'kind';
  v_limit double precision := (p_w->>'limit')::double precision;
  v_window double precision := (p_w->>'windowMs')::double precision;
  v_margin double precision := (p_w->>'marginMs')::double precision;
  v_burst double precision := (p_w->>'burst')::double precision;
  v_reserve double precision := (p_w->>'reserve')::double precision;
  v_offset double precision := (p_w->>'offsetMs')::double precision;
  v_level double precision; v_stamp bigint; v_slots integer[]; v_blocked bigint;
  v_slice double precision; v_ring integer; v_k bigint; v_free double precision; v_rate double precision;
  v_retry double precision; v_excess double precision; v_capacity double precision; j bigint; v_idx integer;
BEGIN
  SELECT level, stamp, slots, blocked_until INTO v_level, v_stamp, v_slots, v_blocked
    FROM ${TABLE} WHERE key = p_key AND window_id = p_w->>'id';
  IF v_kind = 'smooth' THEN
    v_rate := (v_limit - v_burst) / (v_window + v_margin);
    v_k := greatest(p_now, v_stamp);
    v_level := least(v_burst, v_level + (v_k - v_stamp) * v_rate);
    v_stamp := v_k;
    v_free := v_level;
    v_capacity := v_burst;
  ELSIF v_kind = 'sliding' THEN
    v_slice := v_window / 120;
    v_ring := ceil((v_window + v_margin) / v_slice)::integer + 1;
    v_k := greatest(floor(p_now / v_slice)::bigint, v_stamp);
    IF v_slots IS NULL OR cardinality(v_slots) <> v_ring OR v_k - v_stamp >= v_ring THEN
      v_slots := array_fill(0, ARRAY[v_ring]);
    ELSE
      -- (a FOR loop's counter is an integer; slice numbers are not)
      j := v_stamp + 1;
      WHILE j <= v_k LOOP v_slots[(j % v_ring)::integer + 1] := 0; j := j + 1; END LOOP;
    END IF;
    v_stamp := v_k;
    v_free := v_limit - (SELECT coalesce(sum(x), 0) FROM unnest(v_slots) x);
    v_capacity := v_limit;
  ELSE
    v_k := greatest(floor((p_now + v_offset) / v_window)::bigint, v_stamp);
    IF v_k <> v_stamp THEN v_level := 0; END IF;
    v_stamp := v_k;
    v_free := v_limit - v_level;
    v_capacity := v_limit;
  END IF;

  IF p_mode = 'check' THEN
    IF p_units > v_capacity - v_reserve THEN
      v_retry := -1;
    ELSIF v_kind = 'smooth' THEN
      v_excess := p_units + v_reserve - v_level;
      v_retry := CASE WHEN v_excess <= 0 THEN p_now ELSE v_stamp + ceil(v_excess / v_rate) END;
    ELSIF v_kind = 'sliding' THEN
      v_excess := (v_limit - v_free) + p_units - (v_limit - v_reserve);
      IF v_excess <= 0 THEN
        v_retry := p_now;
      ELSE
        v_retry := -1;
        j := v_stamp - v_ring + 1;
        WHILE j <= v_stamp LOOP
          v_excess := v_excess - v_slots[(((j % v_ring) + v_ring) % v_ring)::integer + 1];
          IF v_excess <= 0 THEN v_retry := ceil((j + v_ring) * v_slice); EXIT; END IF;
          j := j + 1;
        END LOOP;
      END IF;
    ELSE
      v_retry := CASE WHEN v_level + p_units <= v_limit - v_reserve THEN p_now ELSE (v_stamp + 1) * v_window - v_offset END;
    END IF;
  ELSIF p_mode = 'take' THEN
    IF v_kind = 'smooth' THEN v_level := v_level - p_units;
    ELSIF v_kind = 'sliding' THEN v_idx := (v_stamp % v_ring)::integer + 1; v_slots[v_idx] := v_slots[v_idx] + p_units::integer;
    ELSE v_level := v_level + p_units;
    END IF;
  ELSIF p_mode = 'release' THEN
    IF v_kind = 'smooth' THEN v_level := least(v_burst, v_level + p_units);
    ELSIF v_kind = 'sliding' THEN
      j := floor(p_at / v_slice)::bigint;
      IF j > v_stamp - v_ring AND j <= v_stamp THEN v_idx := (j % v_ring)::integer + 1; v_slots[v_idx] := greatest(0, v_slots[v_idx] - p_units::integer); END IF;
    ELSIF floor((p_at + v_offset) / v_window)::bigint = v_stamp THEN v_level := greatest(0, v_level - p_units);
    END IF;
  ELSIF p_mode = 'block' THEN
    v_blocked := greatest(v_blocked, p_at);
  END IF;

  UPDATE ${TABLE} SET level = v_level, stamp = v_stamp, slots = v_slots, blocked_until = v_blocked, updated_at = now()
    WHERE key = p_key AND window_id = p_w->>'id';
  IF p_mode = 'take' THEN
    IF v_kind = 'smooth' THEN v_free := v_level; ELSIF v_kind = 'sliding' THEN v_free := v_free - p_units; ELSE v_free := v_limit - v_level; END IF;
  END IF;
  RETURN ARRAY[floor(v_free) - v_reserve, v_retry, v_blocked::double precision, v_capacity - greatest(0, floor(v_free)), greatest(0, floor(v_free)),
               CASE WHEN v_kind = 'calendar' THEN (v_stamp + 1) * v_window - v_offset ELSE NULL END];
END
$fn$`;

/** A batch: lock every row it touches (inserting new ones) in one order, then run each operation. */
const BATCH_FUNCTION = `
CREATE OR REPLACE FUNCTION ${TABLE}_batch_v1(p_now bigint, p_ops jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  op jsonb; w jsonb; r double precision[]; v_out jsonb := '[]'::jsonb; v_usage jsonb;
  v_min double precision; v_max double precision; v_grant double precision; v_retry double precision; v_blocked double precision; v_never boolean;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO ${TABLE} (key, window_id)
    SELECT DISTINCT o->>'key', x->>'id' FROM jsonb_array_elements(p_ops) o, jsonb_array_elements(o->'windows') x ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
  PERFORM 1 FROM ${TABLE} q
    WHERE (q.key, q.window_id) IN (SELECT o->>'key', x->>'id' FROM jsonb_array_elements(p_ops) o, jsonb_array_elements(o->'windows') x)
    ORDER BY q.key, q.window_id FOR UPDATE;
  FOR op IN SELECT value FROM jsonb_array_elements(p_ops) LOOP
    IF op->>'op' = 'take' THEN
      v_min := (op->>'min')::double precision; v_max := (op->>'max')::double precision;
      v_grant := v_max; v_retry := p_now; v_blocked := 0; v_never := false;
      FOR w IN SELECT value FROM jsonb_array_elements(op->'windows') LOOP
        r := ${TABLE}_step_v1(op->>'key', w, p_now, v_min, 'check');
        v_grant := least(v_grant, r[1]);
        IF r[2] < 0 THEN v_never := true; ELSE v_retry := greatest(v_retry, r[2]); END IF;
        v_blocked := greatest(v_blocked, r[3]);
      END LOOP;
      IF v_blocked > p_now THEN
        v_out := v_out || jsonb_build_array(jsonb_build_object('granted', 0, 'retryAt', v_blocked));
      ELSIF v_grant >= v_min THEN
        FOR w IN SELECT value FROM jsonb_array_elements(op->'windows') LOOP
          PERFORM ${TABLE}_step_v1(op->>'key', w, p_now, v_grant, 'take');
        END LOOP;
        v_out := v_out || jsonb_build_array(jsonb_build_object('granted', v_grant, 'retryAt', p_now));
      ELSE
        v_out := v_out || jsonb_build_array(jsonb_build_object('granted', 0, 'retryAt',
          CASE WHEN v_never THEN -1 WHEN v_retry <= p_now THEN p_now + 1 ELSE v_retry END));
      END IF;
    ELSE
      v_usage := '[]'::jsonb;
      FOR w IN SELECT value FROM jsonb_array_elements(op->'windows') LOOP
        r := ${TABLE}_step_v1(op->>'key', w, p_now, coalesce((op->>'units')::double precision, 0), op->>'op', coalesce((op->>'at')::bigint, 0));
        v_usage := v_usage || jsonb_build_array(jsonb_build_object('used', r[4], 'remaining', r[5], 'resetsAt', r[6], 'blockedUntil', r[3]));
      END LOOP;
      v_out := v_out || jsonb_build_array(v_usage);
    END IF;
  END LOOP;
  -- Rows of members nobody messaged for two days say nothing any more.
  IF random() < 0.001 THEN
    DELETE FROM ${TABLE} WHERE updated_at < now() - interval '2 days' AND blocked_until < p_now;
  END IF;
  RETURN v_out;
END
$fn$`;

type Op =
  | { op: 'take'; key: string; windows: readonly ResolvedWindow[]; min: number; max: number }
  | { op: 'release'; key: string; windows: readonly ResolvedWindow[]; units: number; at: number }
  | { op: 'block'; key: string; windows: readonly ResolvedWindow[]; at: number }
  | { op: 'peek'; key: string; windows: readonly ResolvedWindow[] };

interface StepUsage {
  used: number;
  remaining: number;
  resetsAt: number | null;
  blockedUntil: number;
}

export class PostgresQuotaStore implements QuotaStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  #schema: Promise<void> | undefined;

  constructor(options: PostgresQuotaStoreOptions) {
    if (options.pool) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else if (options.connectionString) {
      this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
      this.#pool.on('error', () => undefined); // a dropped idle connection is replaced on the next query
      this.#ownsPool = true;
    } else {
      throw new TypeError('PostgresQuotaStore needs a pool or a connectionString (DATABASE_URL)');
    }
  }

  /** Creates the table and functions if missing. Called on first use; safe when many processes start at once. */
  ensureSchema(): Promise<void> {
    this.#schema ??= this.#createSchema().catch((error: unknown) => {
      this.#schema = undefined;
      throw error;
    });
    return this.#schema;
  }

  async #createSchema(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('${TABLE}:schema', 0))`);
      await client.query(CREATE_TABLE);
      await client.query(COMMENT);
      await client.query(WINDOW_FUNCTION);
      await client.query(BATCH_FUNCTION);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #run<T>(now: number, ops: readonly Op[]): Promise<T[]> {
    await this.ensureSchema();
    const { rows } = await this.#pool.query<{ r: T[] }>(`SELECT ${TABLE}_batch_v1($1, $2::jsonb) AS r`, [Math.round(now), JSON.stringify(ops)]);
    return rows[0]!.r;
  }

  async take(requests: readonly TakeRequest[], now: number, releases: readonly ReleaseRequest[] = []): Promise<TakeResult[]> {
    if (requests.length === 0) return (await this.release(releases, now), []);
    const results = await this.#run<{ granted: number; retryAt: number }>(now, [
      ...releases.map((r): Op => ({ op: 'release', key: r.key, windows: r.windows, units: r.units, at: Math.round(r.takenAt) })),
      ...requests.map((r): Op => ({ op: 'take', key: r.key, windows: r.windows, min: r.min, max: r.max })),
    ]);
    return results.slice(releases.length).map((r) => ({ granted: Number(r.granted), retryAt: Number(r.retryAt) }));
  }

  async release(requests: readonly ReleaseRequest[], now: number): Promise<void> {
    if (requests.length === 0) return;
    await this.#run(now, requests.map((r) => ({ op: 'release', key: r.key, windows: r.windows, units: r.units, at: Math.round(r.takenAt) })));
  }

  async block(key: string, windows: readonly ResolvedWindow[], until: number, now: number): Promise<void> {
    await this.#run(now, [{ op: 'block', key, windows, at: Math.round(until) }]);
  }

  async peek(key: string, windows: readonly ResolvedWindow[], now: number): Promise<WindowUsage[]> {
    const [usage] = await this.#run<StepUsage[]>(now, [{ op: 'peek', key, windows }]);
    return windows.map((w, i) => {
      const u = usage![i]!;
      return {
        id: w.id,
        kind: w.kind,
        limit: w.limit,
        used: Number(u.used),
        remaining: Number(u.remaining),
        ...(u.resetsAt !== null && { resetsAt: Number(u.resetsAt) }),
        ...(Number(u.blockedUntil) > now && { blockedUntil: Number(u.blockedUntil) }),
      };
    });
  }

  async close(): Promise<void> {
    if (this.#ownsPool) await this.#pool.end();
  }
}

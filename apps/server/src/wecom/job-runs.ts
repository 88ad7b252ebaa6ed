/**
 * The last outcome of each recurring WeCom job (directory sync, token refresh), one row per job in
 * wecom_job_runs (migration 0004), so /healthz shows it whichever Pairview process ran the job.
 */
import { sql } from 'kysely';
import type { Db } from '../db/pool.ts';

export type WeComJob = 'directory_sync' | 'token_refresh';

export interface JobRun {
  job: WeComJob;
  lastRunAt: Date;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrcode: number | null;
  detail: Record<string, unknown>;
}

/** The errcode of a WeComError (or anything carrying one), else null. */
export function errcodeOf(error: unknown): number | null {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode : null;
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000);
}

export async function recordJobRun(
  db: Db,
  job: WeComJob,
  at: Date,
  outcome: { ok: true; detail?: Record<string, unknown> } | { ok: false; error: unknown },
): Promise<void> {
  const success = outcome.ok ? at : null;
  const error = outcome.ok ? null : messageOf(outcome.error);
  const errcode = outcome.ok ? null : errcodeOf(outcome.error);
  const detail = JSON.stringify(outcome.ok ? (outcome.detail ?? {}) : {});
  // A failure keeps the detail of the last success (e.g. the member counts of the last good sync).
  await sql`
    insert into wecom_job_runs as r (job, last_run_at, last_success_at, last_error, last_errcode, detail)
    values (${job}, ${at}, ${success}, ${error}, ${errcode}, ${detail}::jsonb)
    on conflict (job) do update set
      last_run_at = excluded.last_run_at,
      last_success_at = coalesce(excluded.last_success_at, r.last_success_at),
      last_error = excluded.last_error,
      last_errcode = excluded.last_errcode,
      detail = case when excluded.last_success_at is null then r.detail else excluded.detail end`.execute(db);
}

export async function readJobRuns(db: Db): Promise<Partial<Record<WeComJob, JobRun>>> {
  const { rows } = await sql<{
    job: WeComJob;
    last_run_at: Date;
    last_success_at: Date | null;
    last_error: string | null;
    last_errcode: number | null;
    detail: Record<string, unknown>;
  }>`select job, last_run_at, last_success_at, last_error, last_errcode, detail from wecom_job_runs`.execute(db);
  const runs: Partial<Record<WeComJob, JobRun>> = {};
  for (const row of rows) {
    runs[row.job] = {
      job: row.job,
      lastRunAt: row.last_run_at,
      lastSuccessAt: row.last_success_at,
      lastError: row.last_error,
      lastErrcode: row.last_errcode,
      detail: row.detail,
    };
  }
  return runs;
}

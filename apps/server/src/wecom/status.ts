/**
 * The `wecom` field of GET /healthz, which the admin page "WeCom connection status" shows: which WeCom Pairview
 * talks to (emulator or the real app, corp id, agent id, callback URL), the shared access token's state (cached
 * or not, when it was fetched and expires — never the token itself), and the last token refresh and directory
 * sync with their errors (message and errcode). Read from PostgreSQL, so any process answers for the cluster.
 */
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { WeComStatus } from '../health.ts';
import { readJobRuns, type JobRun } from './job-runs.ts';
import type { DailyQuotaStatus } from './outbound/quota.ts';

export interface StatusSource {
  db: Db;
  clock: Clock;
  /** The app's daily message quota (outbound/quota.ts); undefined when not kept. */
  quota?: () => Promise<DailyQuotaStatus | undefined>;
  mode: 'emulator' | 'wecom';
  corpId: string;
  agentId: number;
  callbackUrl: string;
  /** Development mode: where the emulator and its member console are. */
  emulator?: { url: string; consoleUrl: string } | undefined;
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

function problem(run: JobRun | undefined): { message: string; errcode: number | null } | null {
  return run?.lastError ? { message: run.lastError, errcode: run.lastErrcode } : null;
}

export async function wecomStatus(source: StatusSource): Promise<WeComStatus> {
  const [runs, dailyQuota, credential] = await Promise.all([
    readJobRuns(source.db),
    source.quota?.(),
    sql<{ fetched_at: string; expires_at: string }>`
      select fetched_at, expires_at from wecom_credentials
      where corp_id = ${source.corpId} and agent_id = ${source.agentId} and kind = 'access_token'`
      .execute(source.db)
      .then((r) => r.rows[0]),
  ]);
  const now = source.clock.now().getTime();
  const refresh = runs.token_refresh;
  const sync = runs.directory_sync;
  const expiresAt = credential ? Number(credential.expires_at) : undefined;

  const token = {
    cached: expiresAt !== undefined && expiresAt > now,
    fetchedAt: credential ? new Date(Number(credential.fetched_at)).toISOString() : null,
    expiresAt: expiresAt !== undefined ? new Date(expiresAt).toISOString() : null,
    lastRefreshAt: iso(refresh?.lastRunAt),
    lastRefreshError: problem(refresh),
  };
  const directory = {
    lastSyncAt: iso(sync?.lastRunAt),
    lastSuccessAt: iso(sync?.lastSuccessAt),
    ...(sync?.lastSuccessAt ? { members: sync.detail.members ?? null } : {}),
    lastError: problem(sync),
  };
  const details = {
    mode: source.mode,
    corpId: source.corpId,
    agentId: source.agentId,
    callbackUrl: source.callbackUrl,
    token,
    directory,
    ...(dailyQuota ? { dailyQuota } : {}),
    // Not errors (messages still go out), but what an admin should know: the daily quota is nearly spent.
    warnings: dailyQuota?.low
      ? [
          `daily message quota low: ${dailyQuota.remaining} of ${dailyQuota.limit} person-times left until ${dailyQuota.resetsAt}; ` +
            'digests wait for tomorrow so reminders and decisions still go out',
        ]
      : [],
    ...(source.emulator ? { emulator: source.emulator } : {}),
  };

  const problems = [
    token.lastRefreshError && `token refresh failed: ${token.lastRefreshError.message}`,
    directory.lastError && `directory sync failed: ${directory.lastError.message}`,
  ].filter((p): p is string => Boolean(p));
  return problems.length > 0 ? { status: 'error', message: problems.join('; '), ...details } : { status: 'ok', ...details };
}

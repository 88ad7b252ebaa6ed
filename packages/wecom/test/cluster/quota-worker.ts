/**
 * One "process" of the shared-quota test (quota.test.ts): a WeComClient whose quotas live in PostgreSQL (or, for
 * the control case, in this process's memory), driven over IPC. Run by plain `node`, started with fork.
 *
 * Env: WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_API_BASE, DATABASE_URL, QUOTA_STORE (postgres|memory),
 * QUOTA_RULES (JSON rules table). Messages in: { cmd: 'burst', n } → n concurrent user/get calls, then
 * { ok, errcodes }; { cmd: 'exit' }. Out: { ready: true } once.
 */
import { WeComClient } from '../../src/client.ts';
import { MemoryQuotaStore } from '../../src/limiter/memory-store.ts';
import { PostgresQuotaStore } from '../../src/limiter/postgres-store.ts';
import { PostgresTokenStore } from '../../src/token/postgres-store.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`quota worker needs ${name}`);
  return value;
};

const shared = env('QUOTA_STORE') === 'postgres';
const client = new WeComClient({
  corpId: env('WECOM_CORP_ID'),
  agentId: env('WECOM_AGENT_ID'),
  secret: env('WECOM_SECRET'),
  baseUrl: env('WECOM_API_BASE'),
  maxRetries: 0, // a refusal is counted, not hidden by a retry
  store: new PostgresTokenStore({ connectionString: env('DATABASE_URL') }),
  quotaStore: shared ? new PostgresQuotaStore({ connectionString: env('DATABASE_URL') }) : new MemoryQuotaStore(),
  quotaRules: JSON.parse(env('QUOTA_RULES')),
  frequencyBlockMs: 0,
});

process.on('message', async (command: { cmd: 'burst'; n: number } | { cmd: 'exit' }) => {
  if (command.cmd === 'exit') {
    await client.close();
    process.exit(0);
  }
  const results = await Promise.allSettled(Array.from({ length: command.n }, () => client.contacts.getUser('lina')));
  const errcodes: Record<string, number> = {};
  for (const r of results) {
    if (r.status === 'rejected') {
      const code = String((r.reason as { errcode?: number }).errcode ?? (r.reason as Error).message);
      errcodes[code] = (errcodes[code] ?? 0) + 1;
    }
  }
  process.send!({ ok: results.filter((r) => r.status === 'fulfilled').length, errcodes });
});
process.send!({ ready: true });

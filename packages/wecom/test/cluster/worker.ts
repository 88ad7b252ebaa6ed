/**
 * One "process" of the cluster test: a RequestSender whose token lives in PostgreSQL, driven by its parent over
 * IPC. Run by plain `node` (type stripping), started with child_process.fork.
 *
 * Messages in:  { id, cmd: 'send', users: string[], tag }  → 50-odd concurrent message/send calls
 *               { id, cmd: 'set', credential }                → a raw store write (the stale writer)
 *               { id, cmd: 'exit' }
 * Messages out: { ready: true } once, then { id, ... } per command.
 */
import { resolveConfig } from '../../src/config.ts';
import { WeComEvents } from '../../src/events.ts';
import { RequestSender } from '../../src/http/request-sender.ts';
import type { WeComResponse } from '../../src/http/types.ts';
import { PostgresTokenStore } from '../../src/token/postgres-store.ts';
import type { StoredCredential } from '../../src/token/store.ts';

type Command =
  | { id: number; cmd: 'send'; users: string[]; tag: string }
  | { id: number; cmd: 'set'; credential: StoredCredential }
  | { id: number; cmd: 'exit' };

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`cluster worker needs ${name}`);
  return value;
};

const config = resolveConfig({
  corpId: env('WECOM_CORP_ID'),
  agentId: env('WECOM_AGENT_ID'),
  secret: env('WECOM_SECRET'),
  baseUrl: env('WECOM_API_BASE'),
  timeoutMs: 10_000,
});
const store = new PostgresTokenStore({ connectionString: env('DATABASE_URL') });
const events = new WeComEvents();
const counts = { refreshes: 0, invalidations: 0, deleted: 0, tokenRetries: 0 };
events.on('token:refresh', () => counts.refreshes++);
events.on('token:invalidate', (e) => {
  counts.invalidations++;
  if (e.deleted) counts.deleted++;
});
events.on('retry', (e) => {
  if (e.reason === 'token') counts.tokenRetries++;
});
const sender = new RequestSender({ config, store, events });

const reply = (message: object) => process.send!(message);

process.on('message', async (command: Command) => {
  switch (command.cmd) {
    case 'send': {
      const before = { ...counts };
      const results = await Promise.allSettled(
        command.users.map((user, i) =>
          sender.call<WeComResponse & { msgid: string }>({
            method: 'POST',
            path: '/cgi-bin/message/send',
            body: { touser: user, msgtype: 'text', agentid: config.agentId, text: { content: `${command.tag} #${i} from ${process.pid}` } },
            quotas: [`member:${user}`],
          }),
        ),
      );
      reply({
        id: command.id,
        ok: results.filter((r) => r.status === 'fulfilled').length,
        errors: results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.message ?? r.reason)] : [])),
        refreshes: counts.refreshes - before.refreshes,
        invalidations: counts.invalidations - before.invalidations,
        deleted: counts.deleted - before.deleted,
        tokenRetries: counts.tokenRetries - before.tokenRetries,
      });
      break;
    }
    case 'set':
      await store.set({ corpId: config.corpId, agentId: config.agentId, kind: 'access_token' }, command.credential);
      reply({ id: command.id });
      break;
    case 'exit':
      await store.close();
      reply({ id: command.id });
      process.disconnect();
      break;
  }
});

reply({ ready: true });

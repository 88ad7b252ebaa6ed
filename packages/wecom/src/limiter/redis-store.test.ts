import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisQuotaStore } from './redis-store.ts';
import { quotaStoreContract } from './store.contract.ts';

const url = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{wecom-quota-test-${process.pid}-${Date.now()}}:`;
const clients: Redis[] = [];
afterAll(async () => {
  const c = new Redis(url);
  const keys = await c.keys(`${prefix}*`);
  if (keys.length) await c.del(...keys);
  await c.quit();
  for (const client of clients) await client.quit();
});

// Every open() is a separate connection, as another process would have.
quotaStoreContract('RedisQuotaStore', {
  open: async () => {
    const client = new Redis(url);
    clients.push(client);
    return new RedisQuotaStore({ client, prefix });
  },
  shared: true,
});

describe('RedisQuotaStore', () => {
  it('refuses a client without scripting, saying what it needs', () => {
    expect(() => new RedisQuotaStore({ client: {} as never })).toThrow(/evalsha and eval/);
  });

  it('loads its script once (EVALSHA after the first NOSCRIPT)', async () => {
    const client = new Redis(url);
    clients.push(client);
    await client.script('FLUSH');
    const calls: string[] = [];
    const wrapped = {
      evalsha: (...args: Parameters<Redis['evalsha']>) => (calls.push('evalsha'), client.evalsha(...args)),
      eval: (...args: Parameters<Redis['eval']>) => (calls.push('eval'), client.eval(...args)),
    };
    const store = new RedisQuotaStore({ client: wrapped as never, prefix });
    const { resolveWindow } = await import('./windows.ts');
    const windows = [resolveWindow({ limit: 30, windowMs: 60_000 })];
    await store.take([{ key: 'sha', windows, min: 1, max: 1 }], Date.now());
    await store.take([{ key: 'sha', windows, min: 1, max: 1 }], Date.now());
    expect(calls).toEqual(['evalsha', 'eval', 'evalsha']);
  });
});

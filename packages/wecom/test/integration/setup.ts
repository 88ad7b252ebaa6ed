/** One emulator per test file, and clients pointed at it. */
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { WeComClient, type WeComClientExtras } from '../../src/client.ts';

export interface Harness {
  emu: Emulator;
  /** A client of the emulator's main app (memory store, fresh each call). */
  client(extras?: WeComClientExtras & { maxRetries?: number; secret?: string; agentId?: number }): WeComClient;
}

/**
 * Starts the demo company before the file's tests and closes it after; every test starts from the emulator's
 * reset state and closes the clients it made.
 */
export function useEmulator(options: Parameters<typeof startEmulator>[0] = {}): Harness {
  const clients: WeComClient[] = [];
  const harness = {
    emu: undefined as unknown as Emulator,
    client(extras: WeComClientExtras & { maxRetries?: number; secret?: string; agentId?: number } = {}) {
      const { maxRetries, secret, agentId, ...rest } = extras;
      const c = new WeComClient({
        corpId: harness.emu.corpId,
        agentId: agentId ?? harness.emu.agentId,
        secret: secret ?? harness.emu.secret,
        baseUrl: harness.emu.url,
        maxRetries: maxRetries ?? 1,
        ...rest,
      });
      clients.push(c);
      return c;
    },
  };
  beforeAll(async () => {
    harness.emu = await startEmulator({ port: 0, ...options });
  });
  beforeEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    harness.emu.control.reset();
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await harness.emu?.close();
  });
  return harness;
}

/** Replaces a documented example's recipients with members of the demo company. */
export function addressed<T extends object>(example: T, recipients: { touser?: string; toparty?: string; totag?: string }): T {
  const { touser: _u, toparty: _p, totag: _t, agentid: _a, ...rest } = example as Record<string, unknown>;
  return { ...rest, ...recipients } as T;
}

/**
 * startEmulator: state + fastify app + listening socket, and the handle tests use (url, credentials, control,
 * close). buildEmulator does the same without listening, for `app.inject` tests.
 */
import type { FastifyInstance } from 'fastify';
import { type EmulatorOptions, loadDemoDirectory, resolveConfig } from './config.ts';
import { createControl, type EmulatorControl } from './control/control.ts';
import { buildServer } from './server.ts';
import { EmulatorState } from './state/index.ts';

export interface BuiltEmulator {
  app: FastifyInstance;
  state: EmulatorState;
  control: EmulatorControl;
}

export interface Emulator {
  /** e.g. `http://127.0.0.1:4100`: the SDK's baseUrl. */
  readonly url: string;
  readonly corpId: string;
  readonly agentId: number;
  readonly secret: string;
  /** The 通讯录同步 secret (contact writes, user/list_id). */
  readonly contactSyncSecret: string;
  /** Group robot webhook keys. */
  readonly robotKeys: readonly string[];
  /** The member console, e.g. `http://127.0.0.1:4100/console/`. */
  readonly consoleUrl: string;
  readonly control: EmulatorControl;
  /** The state object, for plugins and white-box tests. */
  readonly state: EmulatorState;
  close(): Promise<void>;
}

export async function buildEmulator(options: EmulatorOptions = {}): Promise<BuiltEmulator> {
  const config = resolveConfig(options);
  const state = new EmulatorState(config, options.directory ?? loadDemoDirectory(), options.now);
  const control = createControl(state);
  const app = await buildServer(state, control, { logger: options.logger });
  return { app, state, control };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const { app, state, control } = await buildEmulator(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  // A wildcard listen address is reachable on loopback; URLs must name a host a client can dial.
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  return {
    url,
    corpId: state.config.corpId,
    agentId: state.config.app.agentId,
    secret: state.config.app.secret,
    contactSyncSecret: state.config.contactSyncSecret,
    robotKeys: state.config.robots.map((r) => r.key),
    consoleUrl: `${url}/console/`,
    control,
    state,
    close: () => app.close(),
  };
}

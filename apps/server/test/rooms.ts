/**
 * Test helpers for the interview room: Pairview listening on a free port with its collaboration server (as
 * main.ts composes them), and room clients in Node — the same @hocuspocus/provider the browser uses, over Node's
 * WebSocket with the member's session cookie or the candidate's link token.
 */
import { fastifyCookie } from '@fastify/cookie';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type { FastifyInstance } from 'fastify';
import * as Y from 'yjs';
import type { AppPlugin } from '../src/context.ts';
import type { Clock } from '../src/clock.ts';
import type { Config } from '../src/config.ts';
import { SHARED } from '../src/rooms/collab/names.ts';
import { startCollab, type CollabServer } from '../src/rooms/collab/server.ts';
import type { RoomState } from '../src/rooms/state.ts';
import type { CodeRunner } from '../src/runner/service.ts';
import { TEST_SESSION_SECRET, buildTestApp, testConfig, type MigratedTestDatabase } from './helpers.ts';

export interface RoomServer {
  app: FastifyInstance;
  collab: CollabServer;
  /** ws://127.0.0.1:<port> */
  wsBase: string;
  httpBase: string;
  /** Stops the collaboration server and the app (the database stays). */
  close(): Promise<void>;
}

export async function startRoomServer(
  database: MigratedTestDatabase,
  options: { clock?: Clock; config?: Config; port?: number; plugins?: AppPlugin[]; runner?: CodeRunner } = {},
): Promise<RoomServer> {
  const config = options.config ?? testConfig();
  const clock = options.clock ?? { now: () => new Date() };
  const collab = await startCollab({
    db: database.db,
    pool: database.pool,
    clock,
    config,
    cookies: { parseCookie: (h) => fastifyCookie.parse(h), unsignCookie: (raw) => fastifyCookie.unsign(raw, TEST_SESSION_SECRET) },
    log: { warn() {} },
  });
  const app = await buildTestApp(database, { clock, config, collab, plugins: options.plugins ?? [], ...(options.runner ? { runner: options.runner } : {}) });
  app.server.on('upgrade', (request, socket, head) => collab.handleUpgrade(request, socket, head));
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    collab,
    wsBase: `ws://127.0.0.1:${port}`,
    httpBase: `http://127.0.0.1:${port}`,
    async close() {
      await collab.close();
      await app.close();
    },
  };
}

/**
 * Node's WebSocket (undici) takes headers as an extension: how a test sends the session cookie a browser would.
 * Every frame the socket receives is added to `received`.
 */
function socketClass(headers: Record<string, string>, received: Uint8Array[]) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, { protocols, headers } as unknown as string[]);
      this.addEventListener('message', (event: MessageEvent) => {
        if (event.data instanceof ArrayBuffer) received.push(new Uint8Array(event.data));
      });
    }
  };
}

export interface RoomClient {
  socket: HocuspocusProviderWebsocket;
  /** Opens one document on this client's socket; resolves when synced, rejects with the server's reason. */
  open(name: string): Promise<OpenDocument>;
  /** Every close event of the socket, in order. */
  closes: { code: number; reason: string }[];
  /** Every frame the socket received, in order. */
  received: Uint8Array[];
  destroy(): void;
}

export interface OpenDocument {
  provider: HocuspocusProvider;
  doc: Y.Doc;
  readOnly: boolean;
}

export function roomClient(
  server: Pick<RoomServer, 'wsBase'>,
  interviewId: string,
  who: { cookie: string } | { linkToken: string },
  options: { origin?: string } = {},
): RoomClient {
  const headers: Record<string, string> = {};
  if ('cookie' in who) headers['cookie'] = who.cookie;
  if (options.origin) headers['origin'] = options.origin;
  const closes: RoomClient['closes'] = [];
  const received: Uint8Array[] = [];
  const socket = new HocuspocusProviderWebsocket({
    url: `${server.wsBase}/collab/${interviewId}`,
    WebSocketPolyfill: socketClass(headers, received),
    // Tests decide when to reconnect: a refused socket should stay refused.
    maxAttempts: 1,
    onClose: ({ event }) => closes.push({ code: event.code, reason: event.reason }),
  });
  const providers: HocuspocusProvider[] = [];
  return {
    socket,
    closes,
    received,
    open(name) {
      const doc = new Y.Doc();
      return new Promise((resolve, reject) => {
        const provider = new HocuspocusProvider({
          name,
          document: doc,
          websocketProvider: socket,
          token: 'linkToken' in who ? `link:${who.linkToken}` : 'session',
          onAuthenticationFailed: ({ reason }) => reject(new Error(`refused: ${reason}`)),
          onSynced: () => resolve({ provider, doc, readOnly: provider.authorizedScope === 'readonly' }),
        });
        provider.attach();
        providers.push(provider);
      });
    },
    destroy() {
      for (const provider of providers) provider.destroy();
      socket.destroy();
    },
  };
}

/** Waits until `check` holds (polling), or fails with `what`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The room's state as a client reads its control document: the state with the highest revision. */
export function roomStateIn(doc: Y.Doc): RoomState | undefined {
  const states = doc.getMap<RoomState>(SHARED.roomStates);
  const newest = Math.max(-1, ...[...states.keys()].map(Number));
  return newest < 0 ? undefined : states.get(String(newest));
}

/**
 * The collaboration server: Hocuspocus (Yjs over WebSocket) inside the Pairview process, on the same port, at
 * /collab/<interview id>. One socket per browser tab carries every document of that room (names.ts); each is
 * admitted by access.ts, the pad and notes are kept by store.ts, and the control and panel documents are mirrored
 * from PostgreSQL whenever a room announces a change (events.ts) — which is also when candidates whose link died
 * are disconnected and the pad is locked at the end. With `REDIS_URL`, several processes serve the same rooms
 * through @hocuspocus/extension-redis.
 *
 * Follows the custom-integration recipe of room-design.md §1 (a bare `Hocuspocus`, crossws's node adapter,
 * `handleConnection` per socket), since Hocuspocus' own `Server` wants its own HTTP server.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hocuspocus, isTransactionOrigin, type Connection, type Document, type Extension } from '@hocuspocus/server';
import { Redis } from '@hocuspocus/extension-redis';
import crossws from 'crossws/adapters/node';
import type pg from 'pg';
import * as Y from 'yjs';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/pool.ts';
import { listenForRoomChanges, type RoomListener } from '../events.ts';
import { loadRoomState, loadSignals, type RoomState, type SignalView } from '../state.ts';
import { admit, linkStillValid, RoomAccessDenied, type CookieTools } from './access.ts';
import { SHARED, documentName, isPersisted, parseDocumentName, type DocumentName } from './names.ts';
import { skipEchoes } from './echo.ts';
import { awarenessUser, type RoomPerson } from './people.ts';
import { currentStarterCode } from './starters.ts';
import { loadDocument, seedDocument, storeDocument, UpdateLog, type Author } from './store.ts';

/** Largest WebSocket frame accepted (ws defaults to 100 MiB). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;
/** A pad or notes document stops growing here: an interview's code is kilobytes. */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
/** Largest awareness state of one client (name, colour, cursor). */
const MAX_AWARENESS_BYTES = 4096;
/** How often open candidate connections are checked against their link's expiry. */
const LINK_SWEEP_MS = 60_000;

/** Close codes the room's clients understand (4000–4999 are the application's). */
export const CLOSE = { linkInvalid: 4403, shuttingDown: 4503 } as const;

const PATH = /^\/collab\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\?.*)?$/;

interface SocketContext {
  interviewId: string;
  closeSocket(code: number, reason: string): void;
}

interface DocumentContext extends SocketContext {
  person: RoomPerson;
  linkToken?: string;
}

export interface CollabLog {
  warn(message: string): void;
}

export interface CollabDeps {
  db: Db;
  pool: pg.Pool;
  clock: Clock;
  config: Config;
  /** The fastify app's cookie parser and signer (the socket's upgrade request carries the session cookie). */
  cookies: CookieTools;
  log: CollabLog;
}

export interface CollabServer {
  /** For the HTTP server's 'upgrade' event: takes /collab/<id>, refuses other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Brings this process's documents and connections of the room in line with the database. */
  refreshRoom(interviewId: string): Promise<void>;
  /**
   * The room's language or question changed: if the pad still holds `previousStarter` (the starter code before
   * the change) or nothing, it becomes the starter code the room has now, written as an edit by `author`.
   */
  reseedUntouchedPad(interviewId: string, previousStarter: string, author: Author): Promise<void>;
  stats(): { documents: number; connections: number };
  /** Closes every socket, stores every document and writes every buffered update. */
  close(): Promise<void>;
  readonly hocuspocus: Hocuspocus<DocumentContext>;
}

export async function startCollab(deps: CollabDeps): Promise<CollabServer> {
  const { db, pool, clock, config, log } = deps;
  const updateLog = new UpdateLog(db, (error) => log.warn(`room edits not written yet, will retry: ${message(error)}`));
  /** Approximate size of each loaded persisted document, for MAX_DOCUMENT_BYTES. */
  const sizes = new Map<string, number>();
  /** Which connection first used each awareness clientID, per document: another may not speak for it. */
  const clientOwners = new WeakMap<Document, Map<number, string>>();

  const extensions: Extension[] = [];
  if (config.redisUrl) extensions.push(redisExtension(config.redisUrl));

  const hocuspocus = new Hocuspocus<DocumentContext>({
    name: `pairview-${process.pid}`,
    quiet: true,
    extensions,
    // The last client leaving stores the document at once (room-design.md §2); otherwise every 2 s, 10 s at most.
    debounce: 2000,
    maxDebounce: 10_000,
    unloadImmediately: true,

    async onAuthenticate({ documentName: name, token, context, connectionConfig, requestHeaders }) {
      const target = parseDocumentName(name);
      if (!target || target.interviewId !== context.interviewId) throw new RoomAccessDenied('forbidden');
      const admitted = await admit({ db, clock, config, cookies: deps.cookies }, target, token ?? '', requestHeaders.get('cookie'));
      connectionConfig.readOnly = admitted.readOnly;
      return { person: admitted.person, ...(admitted.linkToken ? { linkToken: admitted.linkToken } : {}) };
    },

    async beforeHandleMessage({ documentName: name, update }) {
      if (!sizes.has(name)) return;
      const size = (sizes.get(name) ?? 0) + update.byteLength;
      if (size > MAX_DOCUMENT_BYTES) throw new Error(`${name} is over ${MAX_DOCUMENT_BYTES} bytes`);
      sizes.set(name, size);
    },

    async beforeHandleAwareness({ context, states, document, connection }) {
      if (!context?.person || !connection) return;
      let owners = clientOwners.get(document);
      if (!owners) clientOwners.set(document, (owners = new Map()));
      for (const [clientId, state] of states) {
        const owner = owners.get(clientId);
        if (owner !== undefined && owner !== connection.socketId) {
          states.delete(clientId);
          continue;
        }
        owners.set(clientId, connection.socketId);
        if (state && typeof state === 'object') {
          if (JSON.stringify(state).length > MAX_AWARENESS_BYTES) {
            states.delete(clientId);
            continue;
          }
          state['user'] = awarenessUser(context.person);
        }
      }
    },

    async onChange({ documentName: name, update, transactionOrigin }) {
      const target = parseDocumentName(name);
      if (!target || !isPersisted(target.kind)) return;
      // Only what clients sent: updates relayed by Redis were logged by the process that received them.
      if (!isTransactionOrigin(transactionOrigin) || transactionOrigin.source !== 'connection') return;
      const person = (transactionOrigin.connection.context as DocumentContext).person;
      updateLog.push({ document: name, interviewId: target.interviewId, update, author: authorOf(person), at: clock.now() });
    },

    async onLoadDocument({ documentName: name, document }) {
      const target = parseDocumentName(name);
      if (!target) return;
      if (target.kind === 'ctrl') {
        const state = await loadRoomState(db, target.interviewId);
        if (state) writeRoomState(document, state);
        return;
      }
      if (target.kind === 'panel') {
        writeSignals(document, await loadSignals(db, target.interviewId));
        return;
      }
      const found = await loadDocument(db, name, document);
      if (!found && target.kind === 'code') {
        const starter = await currentStarterCode(db, target.interviewId);
        await seedDocument(db, name, target.interviewId, document, (doc) => doc.getText(SHARED.code).insert(0, starter));
      }
      sizes.set(name, Y.encodeStateAsUpdate(document).byteLength);
    },

    async onStoreDocument({ documentName: name, document }) {
      const target = parseDocumentName(name);
      if (!target || !isPersisted(target.kind)) return;
      await storeDocument(db, name, target.interviewId, document, updateLog.lastWritten(name));
    },

    async afterLoadDocument({ document }) {
      skipEchoes(document);
    },

    async afterUnloadDocument({ documentName: name }) {
      sizes.delete(name);
    },
  });

  const ws = crossws({
    serverOptions: { maxPayload: MAX_FRAME_BYTES },
    hooks: {
      open(peer) {
        const interviewId = PATH.exec(new URL(peer.request.url).pathname)?.[1];
        if (!interviewId) return peer.close(1008, 'not a room');
        const context: SocketContext = { interviewId, closeSocket: (code, reason) => peer.close(code, reason) };
        (peer as unknown as { pairview: ReturnType<Hocuspocus['handleConnection']> }).pairview = hocuspocus.handleConnection(
          peer.websocket as WebSocket,
          peer.request,
          context as DocumentContext,
        );
      },
      message(peer, message) {
        (peer as unknown as { pairview?: ReturnType<Hocuspocus['handleConnection']> }).pairview?.handleMessage(message.uint8Array());
      },
      close(peer, event) {
        (peer as unknown as { pairview?: ReturnType<Hocuspocus['handleConnection']> }).pairview?.handleClose({ code: event.code ?? 1000, reason: event.reason ?? '' });
      },
      error(_peer, error) {
        log.warn(`room socket error: ${message(error)}`);
      },
    },
  });

  /** Origins a browser may open the socket from: Pairview's own (a cross-site page riding the cookie is refused). */
  function originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (!origin) return true; // not a browser: it must still bring a session cookie or a link token
    if (origin === config.publicUrl.origin) return true;
    const host = request.headers.host;
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!PATH.test(request.url ?? '')) return refuse(socket, 404, 'Not Found');
    if (!originAllowed(request)) return refuse(socket, 403, 'Forbidden');
    ws.handleUpgrade(request, socket, head).catch((error: unknown) => {
      log.warn(`room socket upgrade failed: ${message(error)}`);
      socket.destroy();
    });
  }

  function roomDocuments(interviewId: string): Document[] {
    return [...hocuspocus.documents.values()].filter((d) => parseDocumentName(d.name)?.interviewId === interviewId);
  }

  /** Closes every candidate socket of the room whose link no longer opens it. */
  async function dropDeadLinks(documents: Document[]): Promise<void> {
    // Send what is batched for the room first (the end, in the control document) so a closed candidate saw it.
    for (const document of documents) document.flush();
    const verdicts = new Map<string, Promise<boolean>>();
    for (const document of documents) {
      for (const connection of document.getConnections()) {
        const context = connection.context as DocumentContext;
        if (!context.linkToken) continue;
        let verdict = verdicts.get(context.linkToken);
        if (!verdict) verdicts.set(context.linkToken, (verdict = linkStillValid({ db, clock, config }, context.interviewId, context.linkToken)));
        if (!(await verdict)) context.closeSocket(CLOSE.linkInvalid, 'link_invalid');
      }
    }
  }

  async function refreshRoom(interviewId: string): Promise<void> {
    const documents = roomDocuments(interviewId);
    if (documents.length === 0) return;
    const state = await loadRoomState(db, interviewId);
    if (!state) return;
    for (const document of documents) {
      const target = parseDocumentName(document.name)!;
      if (target.kind === 'ctrl') writeRoomState(document, state);
      if (target.kind === 'panel') writeSignals(document, await loadSignals(db, interviewId));
      // The end locks the pad for everyone at once, not only for those who connect afterwards.
      if (target.kind === 'code' && state.phase === 'ended') for (const connection of document.getConnections()) connection.readOnly = true;
    }
    await dropDeadLinks(documents);
  }

  const listener: RoomListener = await listenForRoomChanges(pool, {
    onChange: (interviewId) => void refreshRoom(interviewId).catch((error: unknown) => log.warn(`room ${interviewId} not refreshed: ${message(error)}`)),
    // Announcements made while the listener was down are lost: bring every open room up to date.
    onReconnect: () => void refreshAll(),
    onError: (error) => log.warn(`room change listener: ${message(error)}`),
  });

  async function refreshAll(): Promise<void> {
    const rooms = new Set([...hocuspocus.documents.keys()].map((name) => parseDocumentName(name)?.interviewId).filter((id) => id !== undefined));
    for (const id of rooms) await refreshRoom(id).catch((error: unknown) => log.warn(`room ${id} not refreshed: ${message(error)}`));
  }

  // Links also die by the clock (2 h after the planned end), with no announcement.
  const sweep = setInterval(() => void dropDeadLinks([...hocuspocus.documents.values()]).catch(() => {}), LINK_SWEEP_MS);
  sweep.unref();

  async function reseedUntouchedPad(interviewId: string, previousStarter: string, author: Author): Promise<void> {
    const connection = await hocuspocus.openDirectConnection(documentName('code', interviewId), { interviewId } as DocumentContext);
    try {
      const newStarter = await currentStarterCode(db, interviewId);
      let change: Uint8Array | undefined;
      const document = connection.document!;
      const capture = (update: Uint8Array) => (change = update);
      document.on('update', capture);
      await connection.transact((doc) => {
        const text = doc.getText(SHARED.code);
        const current = text.toString();
        if (current === newStarter || (current.trim() !== '' && current !== previousStarter)) return;
        text.delete(0, text.length);
        text.insert(0, newStarter);
      });
      document.off('update', capture);
      if (change) updateLog.push({ document: document.name, interviewId, update: change, author, at: clock.now() });
    } finally {
      await connection.disconnect();
    }
  }

  return {
    hocuspocus,
    handleUpgrade,
    refreshRoom,
    reseedUntouchedPad,
    stats: () => ({ documents: hocuspocus.getDocumentsCount(), connections: hocuspocus.getConnectionsCount() }),
    async close() {
      clearInterval(sweep);
      await listener.stop();
      ws.closeAll(CLOSE.shuttingDown, 'shutting_down');
      hocuspocus.closeConnections();
      hocuspocus.flushPendingStores();
      const deadline = Date.now() + 5000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await updateLog.flush();
      for (const extension of extensions) await extension.onDestroy?.({ instance: hocuspocus });
    },
  };
}

function authorOf(person: RoomPerson): Author {
  return { kind: person.kind, personId: person.personId, name: person.name };
}

/** Server-side writes to the mirrored documents: not a client's edit, and not stored. */
const MIRROR_ORIGIN = { source: 'local', skipStoreHooks: true } as const;

/**
 * The control document keeps each state under its revision and readers take the highest. A plain map of fields
 * would not do: after a restart (or on another process) the server's document is a new Yjs document, a client
 * still holds the old one's fields, and read-only clients never send theirs back, so the two copies of a field
 * merge by client id and the stale one wins as often as not. Older revisions this process knows are deleted.
 */
function writeRoomState(document: Document, state: RoomState): void {
  const states = document.getMap<RoomState>(SHARED.roomStates);
  const newest = Math.max(-1, ...[...states.keys()].map(Number));
  if (state.revision < newest) return; // read before a change another refresh already wrote
  const key = String(state.revision);
  if (JSON.stringify(states.get(key)) === JSON.stringify(state)) return;
  document.transact(() => {
    states.set(key, state);
    for (const old of states.keys()) if (Number(old) < state.revision) states.delete(old);
  }, MIRROR_ORIGIN);
}

function writeSignals(document: Document, signals: SignalView[]): void {
  const list = document.getArray<SignalView>(SHARED.signals);
  const known = new Set(list.toArray().map((s) => s.id));
  const missing = signals.filter((s) => !known.has(s.id));
  if (missing.length > 0) document.transact(() => list.push(missing), MIRROR_ORIGIN);
}

/** REDIS_URL → the Redis extension (redis://[:password@]host[:port][/db]). */
function redisExtension(url: URL): Redis {
  const db = Number(url.pathname.slice(1) || '0');
  return new Redis({
    host: url.hostname,
    port: Number(url.port || 6379),
    options: { ...(url.password ? { password: decodeURIComponent(url.password) } : {}), ...(url.username ? { username: decodeURIComponent(url.username) } : {}), db },
  });
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { DocumentName };

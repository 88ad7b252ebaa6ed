/**
 * `npm run bench -w @pairview/server` (after bench/delivery.ts), or alone: `node apps/server/bench/collab.ts`.
 * The interview room's collaboration server (issue 8); needs PostgreSQL (TEST_DATABASE_URL / DATABASE_URL,
 * default 127.0.0.1:5432) and takes about two and a half minutes.
 *   (a) edit propagation latency: client A inserts a timestamped edit, client B (another socket) sees it in its
 *       pad; one edit at a time, so this is the path's own latency. Both are the browser's @hocuspocus/provider
 *       over Node's WebSocket.
 *   (b) capacity: rooms of 3 clients (two interviewers and the candidate) each typing EDITS_PER_SECOND, growing
 *       until the p99 propagation passes P99_LIMIT_MS or the clients cannot even open their pads (the server
 *       fell behind by Hocuspocus' 60 s timeout). Twice: with the cursor sent in awareness after every keystroke,
 *       as the room's editor (y-codemirror) does, and with the keystrokes alone.
 *
 * Fairness on a 2-core machine: the room server runs as a process of its own (test/room-server-process.ts: the app
 * and its collaboration socket composed as main.ts does, on a fresh migrated database), so its event loop carries
 * only the server. The clients of (b) run in CLIENT_WORKERS worker threads of this process and are lean
 * (openLeanClient): the frames a browser sends, but nothing applied or rendered — a browser does that on its
 * own machine, here it would take the cores from the server. The table shows each side's CPU. Latency is measured
 * on the clients' clock: a room's three clients share a worker thread, and each keystroke's text carries the time
 * it was typed.
 *
 * COLLAB_BENCH_STEPS=100,300 measures only those numbers of rooms (both series), COLLAB_BENCH_SERIES=typing only that series; COLLAB_BENCH_WINDOW_MS=20000
 * measures longer; COLLAB_BENCH_PROFILE=<dir> writes a --cpu-prof profile of the server process into <dir>.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fastifyCookie } from '@fastify/cookie';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { IncomingMessage, MessageType, OutgoingMessage, type Document } from '@hocuspocus/server';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { MemberPrincipal } from '../src/auth/principal.ts';
import { SESSION_COOKIE, createSession } from '../src/auth/sessions.ts';
import { createInterview } from '../src/interviews/service.ts';
import { FLUSH_MS } from '../src/rooms/collab/store.ts';
import { createMigratedDatabase, type MigratedTestDatabase } from '../test/database.ts';
import { spawnRoomServer, type RoomServerProcess } from '../test/room-server-process.ts';

const LATENCY_SAMPLES = 3000;
const CLIENTS_PER_ROOM = 3;
const EDITS_PER_SECOND = 5;
const STEPS_FROM_ENV = process.env['COLLAB_BENCH_STEPS']?.split(',').map(Number);

interface Series {
  name: string;
  /** Each keystroke also sends the cursor in awareness. */
  cursor: boolean;
  steps: number[];
}

/**
 * y-codemirror sends the cursor only when its position relative to the text changes, and while someone types at
 * one place it does not (it is anchored to the character after it), so typing is keystrokes alone. Moving around
 * while typing sends the cursor with every keystroke: the second series, the worst case.
 */
const SERIES: Series[] = [
  { name: 'typing', cursor: false, steps: STEPS_FROM_ENV ?? [200, 300, 400, 500, 600] },
  { name: 'typing, cursor moved each keystroke', cursor: true, steps: STEPS_FROM_ENV ?? [100, 200, 300] },
].filter((series) => !process.env['COLLAB_BENCH_SERIES'] || series.name === process.env['COLLAB_BENCH_SERIES']);
/** After new rooms open, before measuring: their first syncs and stores are not the steady state. */
const WARMUP_MS = 2000;
const WINDOW_MS = Number(process.env['COLLAB_BENCH_WINDOW_MS'] ?? 6000);
/** A keystroke typed in the window and not seen by every other client of its room this long after counts as lost. */
const GRACE_MS = 1000;
const P99_LIMIT_MS = 100;
const CLIENT_WORKERS = 2;
/** No new step starts after this long: the whole benchmark stays under 3 minutes on a fast machine too. */
const BUDGET_MS = 150_000;
const benchStarted = performance.now();
const SESSION_SECRET = 'collab-bench-session-secret-0123456789abcdef';

interface Room {
  id: string;
  token: string;
}

type ToWorker = { type: 'open'; rooms: Room[]; cursor: boolean } | { type: 'measure'; windowMs: number; graceMs: number } | { type: 'close' };
type FromWorker =
  | { type: 'opened'; failure?: string }
  | { type: 'measured'; latencies: Float64Array; sent: number; expected: number; loopDelayP99Ms: number; closes: number }
  | { type: 'closed' };

interface WorkerSetup {
  role: 'collab-bench-clients';
  wsBase: string;
  cookies: string[];
}

/** Absolute milliseconds, high resolution, comparable across this process's threads. */
const now = () => performance.timeOrigin + performance.now();
const TOKEN = /\|([0-9a-z]{6,})/g;
const token = (at: number) => `|${Math.round(at * 10).toString(36)}`;

/** The typing times carried by the text an update inserts, leaving out `ownClient`'s own keystrokes. */
function typedAt(update: Uint8Array, ownClient?: number): number[] {
  const times: number[] = [];
  for (const struct of Y.decodeUpdate(update).structs) {
    if (struct.id.client === ownClient || !(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentString)) continue;
    for (const match of struct.content.str.matchAll(TOKEN)) times.push(parseInt(match[1]!, 36) / 10);
  }
  return times;
}

/** Node's WebSocket (undici) takes headers as an extension: the member's session cookie, as a browser sends it. */
function socketClass(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, { protocols, headers } as unknown as string[]);
    }
  };
}

type Who = { cookie: string } | { linkToken: string };
const providerToken = (who: Who) => ('linkToken' in who ? `link:${who.linkToken}` : 'session');

interface Pad {
  text: Y.Text;
  destroy(): void;
}

/** (a)'s client: the browser's provider on a socket of its own; `onRemote(typedAt)` for every edit of another client. */
function openPad(wsBase: string, room: Room, who: Who, onRemote: (sentAt: number) => void): Promise<Pad> {
  const socket = new HocuspocusProviderWebsocket({
    url: `${wsBase}/collab/${room.id}`,
    WebSocketPolyfill: socketClass('cookie' in who ? { cookie: who.cookie } : {}),
    maxAttempts: 1,
  });
  const doc = new Y.Doc();
  const text = doc.getText('code');
  // From the update, not from a Y.Text event: an event's delta walks the whole text.
  doc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    if (!transaction.local) for (const at of typedAt(update)) onRemote(at);
  });
  return new Promise((resolve, reject) => {
    const provider = new HocuspocusProvider({
      name: `code:${room.id}`,
      document: doc,
      websocketProvider: socket,
      token: providerToken(who),
      onAuthenticationFailed: ({ reason }) => reject(new Error(`refused: ${reason}`)),
      onSynced: () =>
        resolve({
          text,
          destroy() {
            provider.destroy();
            socket.destroy();
          },
        }),
    });
    provider.attach();
  });
}

/**
 * (b)'s client: the frames the browser's provider sends — the token, SyncStep1, one update per keystroke and, with
 * `cursor`, the cursor in awareness after it — written with Hocuspocus' own message classes, but it applies
 * nothing it receives: it only reads the typing times out of the updates. Its pad holds only its own keystrokes,
 * which is all the updates it writes need.
 */
interface LeanClient {
  type(at: number): void;
  destroy(): void;
}

function openLeanClient(wsBase: string, room: Room, who: Who, cursor: boolean, onRemote: (sentAt: number, seenAt: number) => void, onClose: () => void): Promise<LeanClient> {
  const name = `code:${room.id}`;
  const Socket = socketClass('cookie' in who ? { cookie: who.cookie } : {});
  const socket = new Socket(`${wsBase}/collab/${room.id}`);
  socket.binaryType = 'arraybuffer';
  // lib0's encoders type their output loosely (ArrayBufferLike); it is a plain ArrayBuffer.
  const send = (frame: Uint8Array) => socket.send(frame as Uint8Array<ArrayBuffer>);
  const doc = new Y.Doc();
  const text = doc.getText('code');
  const awareness = cursor ? new Awareness(doc) : undefined;
  doc.on('update', (update: Uint8Array) => send(new OutgoingMessage(name).createSyncMessage().writeUpdate(update).toUint8Array()));
  const client: LeanClient = {
    type(at) {
      text.insert(text.length, token(at));
      if (!awareness) return;
      awareness.setLocalStateField('cursor', { anchor: text.length, head: text.length });
      send(new OutgoingMessage(name).createAwarenessUpdateMessage(awareness, [doc.clientID]).toUint8Array());
    },
    destroy() {
      awareness?.destroy();
      socket.close();
    },
  };
  return new Promise((resolve, reject) => {
    let synced = false;
    socket.addEventListener('open', () => {
      const auth = new IncomingMessage(new Uint8Array(0)); // its encoder: the server exports no token writer
      auth.writeVarString(name);
      auth.writeVarUint(MessageType.Auth);
      auth.writeVarUint(0); // AuthMessageType.Token
      auth.writeVarString(providerToken(who));
      send(auth.toUint8Array());
      send(new OutgoingMessage(name).createSyncMessage().writeFirstSyncStepFor(doc as unknown as Document).toUint8Array());
    });
    socket.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
      const seenAt = now();
      const message = new IncomingMessage(new Uint8Array(event.data));
      message.readVarString();
      const type = message.readVarUint();
      if (type === MessageType.Auth) {
        if (message.readVarUint() === 1) reject(new Error(`refused: ${message.readVarString()}`));
        return;
      }
      if (type !== MessageType.Sync && type !== MessageType.SyncReply) return;
      const step = message.readVarUint(); // 0 SyncStep1, 1 SyncStep2, 2 update
      if (step === 0) return;
      const update = message.readVarUint8Array();
      if (step === 1 && !synced) {
        synced = true;
        resolve(client);
        return;
      }
      // The server sends each update to every connection of the document, its sender included.
      for (const at of typedAt(update, doc.clientID)) onRemote(at, seenAt);
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (!synced) reject(new Error(`socket closed before the pad synced: ${event.code} ${event.reason}`));
      onClose();
    });
  });
}

/** The clients' side of (b), in a worker thread: opens rooms when told, types, and measures on request. */
function runClientsWorker(setup: WorkerSetup): void {
  const port = parentPort!;
  const clients: LeanClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  let window: { from: number; to: number; latencies: number[]; sent: number } | undefined;
  let closes = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const onRemote = (sentAt: number, seenAt: number) => {
    if (window && sentAt >= window.from && sentAt < window.to) window.latencies.push(seenAt - sentAt);
  };

  async function openRoom(room: Room, cursor: boolean): Promise<void> {
    const people: Who[] = [{ cookie: setup.cookies[0]! }, { cookie: setup.cookies[1]! }, { linkToken: room.token }];
    const opened = await Promise.all(people.map((who) => openLeanClient(setup.wsBase, room, who, cursor, onRemote, () => closes++)));
    for (const client of opened) {
      clients.push(client);
      const type = () => {
        const at = now();
        client.type(at);
        if (window && at >= window.from && at < window.to) window.sent++;
      };
      // Each on its own phase: people do not type in step.
      timers.push(setTimeout(() => timers.push(setInterval(type, 1000 / EDITS_PER_SECOND)), Math.random() * (1000 / EDITS_PER_SECOND)));
    }
  }

  port.on('message', (message: ToWorker) => {
    void (async () => {
      if (message.type === 'open') {
        try {
          for (let i = 0; i < message.rooms.length; i += 10) await Promise.all(message.rooms.slice(i, i + 10).map((room) => openRoom(room, message.cursor)));
          port.postMessage({ type: 'opened' } satisfies FromWorker);
        } catch (error) {
          port.postMessage({ type: 'opened', failure: error instanceof Error ? error.message : String(error) } satisfies FromWorker);
        }
      } else if (message.type === 'measure') {
        const from = now();
        window = { from, to: from + message.windowMs, latencies: [], sent: 0 };
        loopDelay.reset();
        await new Promise((resolve) => setTimeout(resolve, message.windowMs + message.graceMs));
        const { latencies, sent } = window;
        window = undefined;
        const measured = {
          type: 'measured',
          latencies: Float64Array.from(latencies),
          sent,
          expected: sent * (CLIENTS_PER_ROOM - 1),
          loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
          closes,
        } satisfies FromWorker;
        port.postMessage(measured, [measured.latencies.buffer]);
      } else {
        for (const timer of timers) clearTimeout(timer);
        for (const client of clients) client.destroy();
        port.postMessage({ type: 'closed' } satisfies FromWorker);
      }
    })();
  });
}

/** A worker thread of lean clients, asked one thing at a time. */
class ClientsWorker {
  private readonly worker: Worker;
  private answer: ((message: FromWorker) => void) | undefined;

  constructor(setup: WorkerSetup) {
    this.worker = new Worker(fileURLToPath(import.meta.url), { workerData: setup });
    this.worker.on('message', (message: FromWorker) => this.answer?.(message));
    this.worker.on('error', (error) => console.error('bench client worker failed:', error));
  }

  ask<T extends FromWorker['type']>(message: ToWorker): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve) => {
      this.answer = (answer) => resolve(answer as Extract<FromWorker, { type: T }>);
      this.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    await this.ask<'closed'>({ type: 'close' });
    await this.worker.terminate();
  }
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : n);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time of a process (user + system), in ms, from /proc (Linux, CLK_TCK 100). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function processRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

/** Busy and total CPU time of the whole machine, in ticks. */
function machineCpu(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

interface Setup {
  database: MigratedTestDatabase;
  server: RoomServerProcess;
  cookies: string[];
  /** The rooms made so far; `rooms(n)` makes more when needed. */
  rooms(n: number): Promise<Room[]>;
}

async function setUp(): Promise<Setup> {
  const database = await createMigratedDatabase('pv_bench_collab');
  const profileDir = process.env['COLLAB_BENCH_PROFILE'];
  const server = await spawnRoomServer({
    databaseUrl: database.url,
    sessionSecret: SESSION_SECRET,
    ...(profileDir ? { execArgv: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
  const person = (name: string, roles: 'recruiter'[] = []) =>
    database.db.insertInto('people').values({ wecom_userid: `bench_${randomBytes(4).toString('hex')}`, name, roles }).returningAll().executeTakeFirstOrThrow();
  const recruiter: MemberPrincipal = { kind: 'member', person: await person('Recruiter', ['recruiter']), roles: new Set(['recruiter', 'interviewer']) };
  const interviewers = [await person('陈杰'), await person('李娜')];
  const clock = { now: () => new Date() };
  const cookies: string[] = [];
  for (const interviewer of interviewers) {
    const session = await createSession(database.db, interviewer.id, { clock, ttlHours: 24 });
    cookies.push(`${SESSION_COOKIE}=${encodeURIComponent(fastifyCookie.sign(session.sessionId, SESSION_SECRET))}`);
  }
  const made: Room[] = [];
  return {
    database,
    server,
    cookies,
    async rooms(n) {
      while (made.length < n) {
        const { interviewId, candidateLinkToken } = await createInterview({ db: database.db, clock }, recruiter, {
          candidate: { name: '王芳' },
          position: 'Backend engineer',
          startsAt: new Date(Date.now() + 3600_000),
          durationMinutes: 60,
          interviewerIds: interviewers.map((i) => i.id),
        });
        // Started through the app, as the interviewer's "Start interview" button does.
        const response = await fetch(`${server.httpBase}/api/interviews/${interviewId}/room/start`, { method: 'POST', headers: { cookie: cookies[0]! } });
        if (response.status !== 200) throw new Error(`room start: HTTP ${response.status} ${await response.text()}`);
        made.push({ id: interviewId, token: candidateLinkToken });
      }
      return made.slice(0, n);
    },
  };
}

export interface LatencyRow {
  samples: number;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
}

/** (a): one edit at a time from A to B, in this thread (nothing else runs meanwhile). */
async function measureLatency(setup: Setup): Promise<LatencyRow> {
  const [room] = await setup.rooms(1);
  let seen: ((sentAt: number) => void) | undefined;
  const a = await openPad(setup.server.wsBase, room!, { cookie: setup.cookies[0]! }, () => {});
  const b = await openPad(setup.server.wsBase, room!, { linkToken: room!.token }, (sentAt) => seen?.(sentAt));
  const latencies: number[] = [];
  try {
    for (let i = 0; i < LATENCY_SAMPLES + 100; i++) {
      const sentAt = now();
      const arrived = new Promise<number>((resolve) => (seen = (at) => at >= sentAt - 0.1 && resolve(now())));
      a.text.insert(a.text.length, token(sentAt));
      const seenAt = await arrived;
      if (i >= 100) latencies.push(seenAt - sentAt); // the first hundred warm up the JIT
      await pause(2);
    }
  } finally {
    a.destroy();
    b.destroy();
  }
  latencies.sort((x, y) => x - y);
  return { samples: latencies.length, 'p50 ms': round1(percentile(latencies, 50)), 'p99 ms': round1(percentile(latencies, 99)), 'max ms': round1(latencies.at(-1)!) };
}

export interface CapacityRow {
  series: string;
  rooms: number;
  clients: number;
  'keystrokes/s': number;
  'p50 ms': number | string;
  'p99 ms': number | string;
  'seen within 1 s': string;
  'server CPU': string;
  'clients CPU': string;
  'rest of machine': string;
  /** How late the server's event loop ran its timers: time a message waits before the server gets to it. */
  'server loop p99 ms': number;
  'server loop max ms': number;
  'server RSS MB': number;
  'client loop p99 ms': number;
}

/** (b), one series: growing numbers of rooms; stops after the first step over the limit. */
async function measureCapacity(setup: Setup, series: Series): Promise<CapacityRow[]> {
  const workers = Array.from({ length: CLIENT_WORKERS }, () => new ClientsWorker({ role: 'collab-bench-clients', wsBase: setup.server.wsBase, cookies: setup.cookies }));
  const rows: CapacityRow[] = [];
  const pid = setup.server.child.pid!;
  let open = 0;
  try {
    for (const target of series.steps) {
      if (performance.now() - benchStarted > BUDGET_MS) {
        console.log(`  ${series.name}: stopped before ${target} rooms, the benchmark's time is up`);
        break;
      }
      const fresh = (await setup.rooms(target)).slice(open);
      // Whole rooms per worker, so a room's clients share a clock.
      const opened = await Promise.all(workers.map((worker, w) => worker.ask<'opened'>({ type: 'open', cursor: series.cursor, rooms: fresh.filter((_, i) => i % workers.length === w) })));
      open = target;
      const failure = opened.find((o) => o.failure)?.failure;
      await pause(WARMUP_MS);

      await setup.server.stats(); // resets its event-loop histogram
      const serverBefore = processCpuMs(pid);
      const clientsBefore = process.cpuUsage();
      const machineBefore = machineCpu();
      const started = performance.now();
      const results = await Promise.all(workers.map((worker) => worker.ask<'measured'>({ type: 'measure', windowMs: WINDOW_MS, graceMs: GRACE_MS })));
      const elapsedMs = performance.now() - started;
      const serverMs = processCpuMs(pid) - serverBefore;
      const serverStats = await setup.server.stats();
      const clientsUsage = process.cpuUsage(clientsBefore);
      const clientsMs = (clientsUsage.user + clientsUsage.system) / 1000;
      const machineAfter = machineCpu();
      const machineMs = ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * elapsedMs * availableParallelism();

      const sent = results.reduce((n, r) => n + r.sent, 0);
      const expected = results.reduce((n, r) => n + r.expected, 0);
      const seen = results.flatMap((r) => [...r.latencies]).filter((l) => l <= GRACE_MS);
      // Not seen within the grace period: infinitely late.
      const all = [...seen, ...Array.from({ length: Math.max(0, expected - seen.length) }, () => Number.POSITIVE_INFINITY)].sort((x, y) => x - y);
      const share = (ms: number) => `${Math.round((ms / elapsedMs) * 100)}%`;
      const closes = results.reduce((n, r) => n + r.closes, 0);
      const p99 = percentile(all, 99);
      rows.push({
        series: series.name,
        rooms: target,
        clients: target * CLIENTS_PER_ROOM,
        'keystrokes/s': Math.round(sent / (WINDOW_MS / 1000)),
        'p50 ms': round1(percentile(all, 50)),
        'p99 ms': Number.isFinite(p99) ? round1(p99) : '> 1000',
        'seen within 1 s': `${((seen.length / Math.max(1, expected)) * 100).toFixed(1)}%`,
        'server CPU': share(serverMs),
        'clients CPU': share(clientsMs),
        'rest of machine': share(Math.max(0, machineMs - serverMs - clientsMs)),
        'server loop p99 ms': round1(serverStats.loopDelayP99Ms),
        'server loop max ms': round1(serverStats.loopDelayMaxMs),
        'server RSS MB': processRssMb(pid),
        'client loop p99 ms': round1(Math.max(...results.map((r) => r.loopDelayP99Ms))),
      });
      const row = rows.at(-1)!;
      console.log(`  ${series.name}, ${target} rooms: p50 ${row['p50 ms']} ms, p99 ${row['p99 ms']} ms, server CPU ${row['server CPU']}`);
      if (failure) console.log(`  ${target} rooms: not every client could open its pad (${failure})`);
      if (closes > 0) console.log(`  ${target} rooms: ${closes} client sockets were closed by the server`);
      if (failure || !(p99 <= P99_LIMIT_MS)) break;
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
  return rows;
}

export async function benchCollab(options: { print?: boolean } = {}): Promise<{ latency: LatencyRow; capacity: CapacityRow[] }> {
  const print = options.print ?? true;
  const setup = await setUp();
  try {
    const latency = await measureLatency(setup);
    if (print) {
      console.log(`Interview room: edit propagation A → server → B, one edit at a time, room server in its own process (update log written every ${FLUSH_MS} ms)`);
      console.table([latency]);
      console.log(
        `Capacity: rooms of ${CLIENTS_PER_ROOM} clients typing ${EDITS_PER_SECOND} keystrokes/s each (lean clients in ${CLIENT_WORKERS} worker threads), ` +
          `${WINDOW_MS / 1000} s measured per step; CPU as a share of one core (the machine has ${availableParallelism()})`,
      );
    }
    const capacity: CapacityRow[] = [];
    for (const series of SERIES) {
      capacity.push(...(await measureCapacity(setup, series)));
      await pause(2000); // the last clients' documents are stored and unloaded
    }
    if (print) {
      console.table(capacity);
      for (const series of SERIES) {
        const fit = capacity.filter((row) => row.series === series.name && typeof row['p99 ms'] === 'number' && row['p99 ms'] <= P99_LIMIT_MS).at(-1);
        console.log(`${series.name}: ${fit ? `${fit.rooms} rooms (${fit.clients} clients) is the largest step with p99 < ${P99_LIMIT_MS} ms` : `no step had p99 < ${P99_LIMIT_MS} ms`}`);
      }
    }
    return { latency, capacity };
  } finally {
    await setup.server.stop();
    await setup.database.drop();
  }
}

if (!isMainThread && (workerData as WorkerSetup | undefined)?.role === 'collab-bench-clients') runClientsWorker(workerData as WorkerSetup);
else if (import.meta.main) {
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
  await benchCollab();
}

/**
 * The runner iframe (runner.html): receives runs from the Pairview page that framed it, runs each in a Web Worker,
 * and sends back the output as it comes and the result.
 *
 * This page runs with an opaque origin (`<iframe sandbox="allow-scripts">`, and the server's
 * `Content-Security-Policy: sandbox allow-scripts` even when opened on its own): no cookies, no storage, and a
 * CSP that lets it and its workers fetch nothing but /runner-assets/. Candidate code runs only in the workers.
 *
 * Limits are enforced here, outside the worker: the time limit counts from the moment the engine is loaded and
 * the program starts, and ends with worker.terminate(); the output cap stops the run where it is reached. A killed
 * worker is replaced by a fresh one for the next run. Python and SQL keep their worker (and loaded engine)
 * between runs that ended by themselves; JavaScript and TypeScript get a new worker every run, so no global
 * survives from one run to the next.
 */
import { pyodideIndexPath, sqlWasmPath } from 'virtual:runner-assets';
import { OutputCap } from './output.ts';
import {
  DEFAULT_OUTPUT_LIMIT_BYTES,
  DEFAULT_TIMEOUT_MS,
  ENGINE_LOAD_TIMEOUT_MS,
  MAX_OUTPUT_LIMIT_BYTES,
  MAX_TIMEOUT_MS,
  MESSAGE_SOURCE,
  RUN_LANGUAGES,
  engineOf,
  type EngineAssets,
  type EngineKind,
  type HostMessage,
  type HostRun,
  type RunStatus,
  type RunnerMessage,
  type WorkerMessage,
  type WorkerPrepare,
  type WorkerRun,
} from './protocol.ts';
import workerUrl from './worker.ts?worker&url';

/** Pairview's origin: this page's URL (its own origin is opaque, "null"). Only Pairview may frame it (frame-ancestors 'self'). */
const pairviewOrigin = new URL(location.href).origin;
const assets: EngineAssets = {
  pyodideIndexUrl: new URL(pyodideIndexPath, location.href).href,
  sqlWasmUrl: new URL(sqlWasmPath, location.href).href,
};

/**
 * A worker must be same-origin with its creator unless it comes from a data: URL, and this page's origin is
 * opaque: each worker is a module worker from a data: URL that imports the bundled worker (with CORS, which the
 * server allows on /runner-assets/). Not a blob: URL: Chromium fails to start a module worker from a blob: URL
 * in an opaque origin, and pyodide refuses classic workers.
 */
const workerSource = `data:text/javascript,${encodeURIComponent(`import ${JSON.stringify(new URL(workerUrl, location.href).href)};\n`)}`;

/** Output goes to the page in batches (a program printing in a loop would otherwise send one message a line). */
const FLUSH_INTERVAL_MS = 30;
const FLUSH_BYTES = 16 * 1024;

function send(message: RunnerMessage) {
  parent.postMessage(message, pairviewOrigin);
}

/** A worker, and whether its module has loaded (messages sent before that would find no listener). */
interface EngineWorker {
  worker: Worker;
  ready: Promise<void>;
}

/**
 * The worker each kind's next run will use, its engine loading or loaded. Python's and SQL's stay here across
 * runs; JavaScript's is taken by a run and replaced by a spare, so a warm run does not wait for sucrase.
 */
const idleWorkers = new Map<EngineKind, EngineWorker>();

interface ActiveRun {
  id: number;
  kind: EngineKind;
  worker: Worker;
  timeoutMs: number;
  cap: OutputCap;
  startedAt: number | undefined;
  timer: ReturnType<typeof setTimeout>;
  pending: string;
  /** Whether the output so far ends a line (the runner's note goes on a line of its own). */
  atLineStart: boolean;
  flushTimer: ReturnType<typeof setTimeout> | undefined;
}

let active: ActiveRun | undefined;

function spawnWorker(kind: EngineKind): EngineWorker {
  const worker = new Worker(workerSource, { type: 'module', name: `pairview-${kind}` });
  const ready = new Promise<void>((resolve) => {
    const onReady = (event: MessageEvent<WorkerMessage>) => {
      if (event.data?.type !== 'ready') return;
      worker.removeEventListener('message', onReady);
      resolve();
    };
    worker.addEventListener('message', onReady);
  });
  void ready.then(() => worker.postMessage({ type: 'prepare', kind, assets } satisfies WorkerPrepare));
  return { worker, ready };
}

function takeWorker(kind: EngineKind): EngineWorker {
  const engine = idleWorkers.get(kind) ?? spawnWorker(kind);
  if (kind === 'javascript') idleWorkers.delete(kind);
  else idleWorkers.set(kind, engine);
  return engine;
}

/** Gets the next run's worker loading now: a spare for JavaScript, a replacement after a kill. */
function prepareNext(kind: EngineKind) {
  if (!idleWorkers.has(kind)) idleWorkers.set(kind, spawnWorker(kind));
}

function dropWorker(run: ActiveRun) {
  run.worker.onmessage = null;
  run.worker.onerror = null;
  run.worker.terminate();
  if (idleWorkers.get(run.kind)?.worker === run.worker) idleWorkers.delete(run.kind);
}

function flush(run: ActiveRun) {
  if (run.flushTimer !== undefined) clearTimeout(run.flushTimer);
  run.flushTimer = undefined;
  if (run.pending === '') return;
  send({ source: MESSAGE_SOURCE, type: 'output', id: run.id, text: run.pending });
  run.pending = '';
}

function emit(run: ActiveRun, text: string) {
  if (text === '') return;
  run.pending += text;
  run.atLineStart = text.endsWith('\n');
  if (run.pending.length >= FLUSH_BYTES) flush(run);
  else run.flushTimer ??= setTimeout(() => flush(run), FLUSH_INTERVAL_MS);
}

/** Ends the active run. `note`: the runner's own last line (why it stopped), outside the output cap. */
function finish(run: ActiveRun, status: RunStatus, options: { kill: boolean; note?: string }) {
  if (active !== run) return;
  active = undefined;
  clearTimeout(run.timer);
  const durationMs = run.startedAt === undefined ? 0 : performance.now() - run.startedAt;
  if (options.kill || run.kind === 'javascript') {
    dropWorker(run);
    prepareNext(run.kind);
  } else {
    run.worker.onmessage = null;
    run.worker.onerror = null;
  }
  if (options.note) emit(run, `${run.atLineStart ? '' : '\n'}[${options.note}]\n`);
  flush(run);
  send({ source: MESSAGE_SOURCE, type: 'done', id: run.id, status, truncated: run.cap.truncated, durationMs });
}

function seconds(ms: number) {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function onWorkerMessage(run: ActiveRun, message: WorkerMessage) {
  if (active !== run) return;
  switch (message?.type) {
    case 'started':
      if (run.startedAt !== undefined) return;
      run.startedAt = performance.now();
      clearTimeout(run.timer);
      run.timer = setTimeout(() => timeOut(run), run.timeoutMs);
      send({ source: MESSAGE_SOURCE, type: 'started', id: run.id });
      return;
    case 'output': {
      if (typeof message.text !== 'string') return;
      emit(run, run.cap.take(message.text));
      if (run.cap.truncated) {
        finish(run, 'output_limit', { kill: true, note: `output limit reached: stopped at ${Math.round(run.cap.limitBytes / 1024)} KiB` });
      }
      return;
    }
    case 'done':
      finish(run, message.status === 'ok' ? 'ok' : 'error', { kill: message.discard === true });
      return;
  }
}

function timeOut(run: ActiveRun) {
  if (run.startedAt === undefined) {
    finish(run, 'error', { kill: true, note: `the ${run.kind} engine did not load within ${seconds(ENGINE_LOAD_TIMEOUT_MS)}` });
  } else {
    finish(run, 'timeout', { kill: true, note: `time limit exceeded: stopped after ${seconds(run.timeoutMs)}` });
  }
}

function clamp(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

function start(request: HostRun) {
  if (active) finish(active, 'error', { kill: true, note: 'stopped' });
  if (!RUN_LANGUAGES.includes(request.language) || typeof request.code !== 'string' || typeof request.stdin !== 'string') {
    send({ source: MESSAGE_SOURCE, type: 'done', id: request.id, status: 'error', truncated: false, durationMs: 0 });
    return;
  }
  const kind = engineOf(request.language);
  const { worker, ready } = takeWorker(kind);
  const run: ActiveRun = {
    id: request.id,
    kind,
    worker,
    timeoutMs: clamp(request.timeoutMs, DEFAULT_TIMEOUT_MS, 100, MAX_TIMEOUT_MS),
    cap: new OutputCap(clamp(request.outputLimitBytes, DEFAULT_OUTPUT_LIMIT_BYTES, 1024, MAX_OUTPUT_LIMIT_BYTES)),
    startedAt: undefined,
    timer: setTimeout(() => timeOut(run), ENGINE_LOAD_TIMEOUT_MS),
    pending: '',
    atLineStart: true,
    flushTimer: undefined,
  };
  active = run;
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => onWorkerMessage(run, event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    finish(run, 'error', { kill: true, note: `the runner could not start the ${kind} engine` });
  };
  const message: WorkerRun = {
    type: 'run',
    language: request.language,
    code: request.code,
    stdin: request.stdin,
    outputLimitBytes: run.cap.limitBytes,
    assets,
  };
  void ready.then(() => {
    if (active === run) worker.postMessage(message);
  });
}

addEventListener('message', (event: MessageEvent<HostMessage>) => {
  if (event.source !== parent || event.origin !== pairviewOrigin) return;
  const message = event.data;
  if (message?.source !== MESSAGE_SOURCE || typeof message.id !== 'number') return;
  switch (message.type) {
    case 'run':
      start(message);
      return;
    case 'stop':
      if (active?.id === message.id) {
        if (message.reason === 'timeout') timeOut(active);
        else finish(active, 'error', { kill: true, note: 'stopped' });
      }
      return;
    case 'ping':
      send({ source: MESSAGE_SOURCE, type: 'pong', id: message.id });
      return;
  }
});

send({ source: MESSAGE_SOURCE, type: 'ready' });

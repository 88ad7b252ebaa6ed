/**
 * The messages between the three parties of a run, and the limits they share:
 *
 *   Pairview page (runner-client.ts) ⇄ runner iframe (runner/main.ts, opaque origin) ⇄ worker (runner/worker.ts)
 *
 * Only types and plain constants live here, so the host side imports nothing of the runner at run time.
 * Every message carries `source: 'pairview-runner'`; each side checks who sent it (event.source) and ignores the rest.
 */

export type RunLanguage = 'javascript' | 'typescript' | 'python' | 'sql';
export type RunStatus = 'ok' | 'error' | 'timeout' | 'output_limit';

export const RUN_LANGUAGES: readonly RunLanguage[] = ['javascript', 'typescript', 'python', 'sql'];

/** The defaults: 10 s of running (engine loading not counted), 64 KiB of output. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_OUTPUT_LIMIT_BYTES = 64 * 1024;
/** Bounds a caller may ask for: a run can never be made unlimited. */
export const MAX_TIMEOUT_MS = 60_000;
export const MAX_OUTPUT_LIMIT_BYTES = 1024 * 1024;
/** How long an engine may take to load before its first run is given up (pyodide is ~12 MB). */
export const ENGINE_LOAD_TIMEOUT_MS = 60_000;

export const MESSAGE_SOURCE = 'pairview-runner';

// ─── host ⇄ iframe ──────────────────────────────────────────────────────────────────────────────────────────────

export interface HostRun {
  source: typeof MESSAGE_SOURCE;
  type: 'run';
  id: number;
  language: RunLanguage;
  code: string;
  stdin: string;
  timeoutMs: number;
  outputLimitBytes: number;
}

/** `reason` 'timeout' comes from the host's watchdog when the iframe's own timer has not fired (a throttled tab). */
export interface HostStop {
  source: typeof MESSAGE_SOURCE;
  type: 'stop';
  id: number;
  reason: 'stopped' | 'timeout';
}

export interface HostPing {
  source: typeof MESSAGE_SOURCE;
  type: 'ping';
  id: number;
}

export type HostMessage = HostRun | HostStop | HostPing;

export type RunnerMessage =
  | { source: typeof MESSAGE_SOURCE; type: 'ready' }
  /** The engine is loaded and the program starts: the time limit counts from here. */
  | { source: typeof MESSAGE_SOURCE; type: 'started'; id: number }
  | { source: typeof MESSAGE_SOURCE; type: 'output'; id: number; text: string }
  | { source: typeof MESSAGE_SOURCE; type: 'done'; id: number; status: RunStatus; truncated: boolean; durationMs: number }
  | { source: typeof MESSAGE_SOURCE; type: 'pong'; id: number };

// ─── iframe ⇄ worker ────────────────────────────────────────────────────────────────────────────────────────────

/** Which worker a language runs in. JavaScript and TypeScript get a fresh worker per run; Python and SQL keep theirs warm. */
export type EngineKind = 'javascript' | 'python' | 'sql';

export function engineOf(language: RunLanguage): EngineKind {
  return language === 'typescript' ? 'javascript' : language;
}

/** Absolute URLs of the engines' files under /runner-assets/ (the worker's own origin is opaque, so no relative URLs). */
export interface EngineAssets {
  pyodideIndexUrl: string;
  sqlWasmUrl: string;
}

export interface WorkerRun {
  type: 'run';
  language: RunLanguage;
  code: string;
  stdin: string;
  /** The worker stops sending output past this: a print loop would otherwise queue up messages faster than the iframe can read them. */
  outputLimitBytes: number;
  assets: EngineAssets;
}

/** Load the engine ahead of the first run (a spare JavaScript worker; Python again after a kill). */
export interface WorkerPrepare {
  type: 'prepare';
  kind: EngineKind;
  assets: EngineAssets;
}

export type WorkerMessage =
  /** The worker's module has loaded and listens. */
  | { type: 'ready' }
  | { type: 'started' }
  | { type: 'output'; text: string }
  /**
   * The program ended by itself. `discard`: the engine cannot be trusted for another run (a fatal pyodide error),
   * so the iframe replaces the worker.
   */
  | { type: 'done'; status: 'ok' | 'error'; discard?: boolean };

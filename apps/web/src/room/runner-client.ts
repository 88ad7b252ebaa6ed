/**
 * Runs code in this browser without giving it Pairview's origin: the code goes to the runner page
 * (/runner.html, src/runner/main.ts) in a hidden `<iframe sandbox="allow-scripts">` — an opaque origin, so no
 * cookies, no storage, no Pairview API — which runs it in a Web Worker under a CSP that allows no network but its
 * own static files. See docs/decisions/0006-in-browser-runner.md.
 *
 * ```ts
 * const runner = createCodeRunner();
 * const result = await runner.run({ language: 'python', code, stdin }, (chunk) => show(chunk));
 * ```
 *
 * The result:
 * - `output` is what the program printed (stdout and stderr interleaved), cut at `outputLimitBytes` (UTF-8), and
 *   the concatenation of every chunk given to `onOutput`. When the runner stopped the program, its output ends with
 *   one line of the runner's own in brackets saying why, e.g. `[time limit exceeded: stopped after 10 s]`,
 *   `[output limit reached: stopped at 64 KiB]`, `[stopped]`.
 * - `status`: 'ok' (the program ended by itself, exit status 0), 'error' (an uncaught exception, a Python
 *   exception or non-zero exit, an SQL error, a stop() — its output ends in `[stopped]` — or a runner failure),
 *   'timeout' (killed at the time limit), 'output_limit' (stopped at the cap; `truncated` is true).
 * - `durationMs` counts from the program's start, not the engine's loading (the first Python run loads pyodide for
 *   a few seconds; later runs reuse it).
 *
 * One run at a time: run() while another is running stops the earlier one first (it resolves as stopped).
 * The time limit is enforced twice: the iframe terminates the worker, and a watchdog here replaces the whole iframe
 * when the iframe does not answer after the limit (a crashed or hung runner page).
 */
import {
  DEFAULT_OUTPUT_LIMIT_BYTES,
  DEFAULT_TIMEOUT_MS,
  ENGINE_LOAD_TIMEOUT_MS,
  MESSAGE_SOURCE,
  RUN_LANGUAGES,
  type HostMessage,
  type RunLanguage,
  type RunStatus,
  type RunnerMessage,
} from '../runner/protocol.ts';

export type { RunLanguage, RunStatus } from '../runner/protocol.ts';

export interface RunRequest {
  language: RunLanguage;
  code: string;
  stdin: string;
  /** Default 10 000 (10 s) of running; engine loading is not counted. */
  timeoutMs?: number;
  /** Default 65 536 (64 KiB), counted in UTF-8 bytes. */
  outputLimitBytes?: number;
}

export interface RunResult {
  status: RunStatus;
  output: string;
  truncated: boolean;
  durationMs: number;
}

export interface CodeRunner {
  run(request: RunRequest, onOutput?: (chunk: string) => void): Promise<RunResult>;
  /** Stops the run in progress, if any: it resolves with status 'error' and output ending in `[stopped]`. */
  stop(): void;
  /** Stops any run and removes the iframe; run() afterwards rejects. */
  dispose(): void;
}

export function isBrowserRunnable(language: string): language is RunLanguage {
  return (RUN_LANGUAGES as readonly string[]).includes(language);
}

/** How long the runner page may take to load and say it is ready. */
const READY_TIMEOUT_MS = 20_000;
/** After a deadline, how long the iframe has to answer a stop before it is replaced. */
const ANSWER_GRACE_MS = 2_500;

interface PendingRun {
  id: number;
  request: RunRequest;
  onOutput: ((chunk: string) => void) | undefined;
  resolve: (result: RunResult) => void;
  output: string;
  /** Sent to the runner (it had loaded). */
  posted: boolean;
  started: boolean;
  startedAt: number;
  deadline: ReturnType<typeof setTimeout> | undefined;
  answer: ReturnType<typeof setTimeout> | undefined;
  /** Set once a stop was asked for, so a replaced iframe resolves the run with the right status. */
  stopping: 'stopped' | 'timeout' | undefined;
}

interface RunnerFrame {
  element: HTMLIFrameElement;
  ready: Promise<boolean>;
  markReady: () => void;
}

export function createCodeRunner(options: { container?: HTMLElement; runnerUrl?: string } = {}): CodeRunner {
  const runnerUrl = new URL(options.runnerUrl ?? '/runner.html', location.href).href;
  let frame: RunnerFrame | undefined;
  let current: PendingRun | undefined;
  let nextId = 1;
  let disposed = false;

  function mount(): RunnerFrame {
    const element = document.createElement('iframe');
    // allow-scripts only: without allow-same-origin the runner's origin is opaque (the security boundary).
    element.setAttribute('sandbox', 'allow-scripts');
    element.referrerPolicy = 'no-referrer';
    element.hidden = true;
    element.tabIndex = -1;
    element.title = 'Pairview code runner';
    element.setAttribute('aria-hidden', 'true');
    let markReady = () => {};
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      markReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    element.src = runnerUrl;
    (options.container ?? document.body).append(element);
    return { element, ready, markReady };
  }

  function unmount() {
    frame?.element.remove();
    frame = undefined;
  }

  function post(message: HostMessage) {
    // An opaque origin can only be addressed as '*'; the frame is ours and sandboxed, and only its window gets it.
    frame?.element.contentWindow?.postMessage(message, '*');
  }

  function clearTimers(run: PendingRun) {
    clearTimeout(run.deadline);
    clearTimeout(run.answer);
  }

  function settle(run: PendingRun, result: Omit<RunResult, 'output'>) {
    if (current !== run) return;
    current = undefined;
    clearTimers(run);
    run.resolve({ ...result, output: run.output });
  }

  function append(run: PendingRun, text: string) {
    run.output += text;
    run.onOutput?.(text);
  }

  /** Ends the run here, without the runner's answer, with a note of the same form as the runner's own. */
  function endHere(run: PendingRun, status: RunStatus, note: string) {
    if (current !== run) return;
    append(run, `${run.output === '' || run.output.endsWith('\n') ? '' : '\n'}[${note}]\n`);
    settle(run, { status, truncated: false, durationMs: run.started ? performance.now() - run.startedAt : 0 });
  }

  /** The iframe did not answer: replace it (the next run mounts a fresh one), and end the run here. */
  function replaceFrame(run: PendingRun, status: RunStatus, note: string) {
    unmount();
    endHere(run, status, note);
  }

  function ask(run: PendingRun, reason: 'stopped' | 'timeout') {
    if (current !== run) return;
    run.stopping ??= reason;
    clearTimeout(run.deadline);
    post({ source: MESSAGE_SOURCE, type: 'stop', id: run.id, reason });
    run.answer ??= setTimeout(() => {
      const stoppedByUser = run.stopping === 'stopped';
      replaceFrame(run, stoppedByUser ? 'error' : run.started ? 'timeout' : 'error', stoppedByUser ? 'stopped' : 'the runner stopped answering and was restarted');
    }, ANSWER_GRACE_MS);
  }

  function watch(run: PendingRun, ms: number) {
    clearTimeout(run.deadline);
    run.deadline = setTimeout(() => ask(run, 'timeout'), ms + ANSWER_GRACE_MS);
  }

  function onMessage(event: MessageEvent<RunnerMessage>) {
    if (!frame || event.source !== frame.element.contentWindow) return;
    // The runner must be sandboxed: a same-origin runner would run code as Pairview. Never talk to one.
    if (event.origin !== 'null') return;
    const message = event.data;
    if (message?.source !== MESSAGE_SOURCE) return;
    if (message.type === 'ready') {
      frame.markReady();
      return;
    }
    const run = current;
    if (!run || message.id !== run.id) return;
    switch (message.type) {
      case 'started':
        if (run.started) return;
        run.started = true;
        run.startedAt = performance.now();
        if (run.stopping === undefined) watch(run, run.request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        return;
      case 'output':
        if (typeof message.text === 'string') append(run, message.text);
        return;
      case 'done':
        settle(run, {
          status: message.status,
          truncated: message.truncated === true,
          durationMs: typeof message.durationMs === 'number' ? message.durationMs : 0,
        });
        return;
    }
  }

  function stop() {
    const run = current;
    if (!run) return;
    if (!run.posted) {
      // Still waiting for the runner page to load: nothing ran.
      endHere(run, 'error', 'stopped');
      return;
    }
    ask(run, 'stopped');
  }

  addEventListener('message', onMessage);

  return {
    async run(request, onOutput) {
      if (disposed) throw new Error('This code runner was disposed');
      // An earlier run ends here at once (its answer would come after the new run began); the iframe stops it
      // when the new run arrives.
      if (current) endHere(current, 'error', 'stopped');
      frame ??= mount();
      const target = frame;
      const id = nextId++;
      return new Promise<RunResult>((resolve) => {
        const run: PendingRun = {
          id,
          request,
          onOutput,
          resolve,
          output: '',
          posted: false,
          started: false,
          startedAt: 0,
          deadline: undefined,
          answer: undefined,
          stopping: undefined,
        };
        current = run;
        void target.ready.then((ready) => {
          if (current !== run) return;
          if (!ready || frame !== target) {
            replaceFrame(run, 'error', 'the runner did not load');
            return;
          }
          run.posted = true;
          watch(run, ENGINE_LOAD_TIMEOUT_MS);
          post({
            source: MESSAGE_SOURCE,
            type: 'run',
            id,
            language: request.language,
            code: request.code,
            stdin: request.stdin,
            timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            outputLimitBytes: request.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
          });
        });
      });
    },

    stop,

    dispose() {
      disposed = true;
      removeEventListener('message', onMessage);
      const run = current;
      if (run) replaceFrame(run, 'error', 'stopped');
      unmount();
    },
  };
}

/**
 * JavaScript and TypeScript, run as an ES module inside this (fresh, one-run) worker.
 *
 * TypeScript is only stripped (sucrase, no type-check, line numbers kept), so a type error does not stop a run,
 * as with `node --experimental-strip-types` or tsx. JavaScript goes through sucrase's parser too: V8 reports a
 * module's syntax error without its line, sucrase says where it is.
 *
 * The run ends like `node main.js`: when the module has been evaluated and no timer is pending, or at the first
 * uncaught exception or unhandled rejection (status 'error'). A forgotten setInterval runs into the time limit.
 *
 * stdin: `readline()` returns the next line (without its newline) or null at the end, as in the d8/SpiderMonkey
 * shells and Codeforces' V8; the global `stdin` holds the whole text.
 */
import { transform } from 'sucrase';
import type { RunLanguage } from '../protocol.ts';
import { formatArgs, inspect, setStackCleaner } from './inspect.ts';
import type { EngineIO } from './io.ts';

interface TimerScope {
  setTimeout(handler: unknown, timeout?: number, ...args: unknown[]): number;
  clearTimeout(id?: number): void;
  setInterval(handler: unknown, timeout?: number, ...args: unknown[]): number;
  clearInterval(id?: number): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

export async function runJavaScript(language: RunLanguage, code: string, stdin: string, io: EngineIO): Promise<'ok' | 'error'> {
  const fileName = language === 'typescript' ? 'main.ts' : 'main.js';

  let compiled: string;
  try {
    compiled = transform(code, { transforms: language === 'typescript' ? ['typescript'] : [], disableESTransforms: true }).code;
  } catch (error) {
    io.started();
    const message = error instanceof Error ? error.message : String(error);
    io.write(`SyntaxError: ${message.replace(/\((\d+):(\d+)\)$/, `(${fileName}:$1:$2)`)}\n`);
    return 'error';
  }

  const url = URL.createObjectURL(new Blob([compiled], { type: 'text/javascript' }));
  /** The module's frames name main.js/main.ts; the runner's own frames are left out. */
  const cleanStack = (stack: string) =>
    stack
      .split('\n')
      .filter((line) => !/^\s+at /.test(line) || line.includes(url))
      .join('\n')
      .split(url)
      .join(fileName);
  setStackCleaner(cleanStack);

  const scope = globalThis as unknown as TimerScope & Record<string, unknown>;
  const realSetTimeout = scope.setTimeout.bind(scope);
  const realClearTimeout = scope.clearTimeout.bind(scope);
  const realSetInterval = scope.setInterval.bind(scope);
  const realClearInterval = scope.clearInterval.bind(scope);

  return new Promise((resolve) => {
    let moduleDone = false;
    let finished = false;
    const pendingTimers = new Set<number>();

    const finish = (status: 'ok' | 'error') => {
      if (finished) return;
      finished = true;
      resolve(status);
    };
    const fail = (prefix: string, reason: unknown) => {
      if (finished) return;
      io.write(`${prefix} ${inspect(reason)}\n`);
      finish('error');
    };
    /**
     * Two macrotasks later: promise callbacks queued by the last timer have run by then, and so has the
     * 'unhandledrejection' event of a promise rejected in the last turn (Chromium dispatches it after a first
     * setTimeout(0) has already run).
     */
    const finishWhenIdle = () => {
      const idle = () => moduleDone && pendingTimers.size === 0;
      if (!idle()) return;
      realSetTimeout(() => {
        if (idle()) realSetTimeout(() => idle() && finish('ok'), 0);
      }, 0);
    };
    const guarded = (handler: unknown, args: unknown[]) => () => {
      if (finished) return;
      try {
        if (typeof handler === 'function') handler(...args);
      } catch (error) {
        fail('Uncaught', error);
      }
    };

    scope.setTimeout = (handler: unknown, timeout?: number, ...args: unknown[]) => {
      const id = realSetTimeout(() => {
        pendingTimers.delete(id);
        guarded(handler, args)();
        finishWhenIdle();
      }, timeout);
      pendingTimers.add(id);
      return id;
    };
    scope.clearTimeout = (id?: number) => {
      if (id !== undefined) pendingTimers.delete(id);
      realClearTimeout(id);
      finishWhenIdle();
    };
    scope.setInterval = (handler: unknown, timeout?: number, ...args: unknown[]) => {
      const id = realSetInterval(guarded(handler, args), timeout);
      pendingTimers.add(id);
      return id;
    };
    scope.clearInterval = (id?: number) => {
      if (id !== undefined) pendingTimers.delete(id);
      realClearInterval(id);
      finishWhenIdle();
    };
    scope.addEventListener('error', (event) => {
      event.preventDefault();
      fail('Uncaught', (event as ErrorEvent).error ?? (event as ErrorEvent).message);
    });
    scope.addEventListener('unhandledrejection', (event) => {
      event.preventDefault();
      fail('Uncaught (in promise)', (event as PromiseRejectionEvent).reason);
    });

    const print = (...args: unknown[]) => io.write(`${formatArgs(args)}\n`);
    const console = {
      log: print,
      info: print,
      debug: print,
      warn: print,
      error: print,
      trace: print,
      dir: (value: unknown) => print(value),
      assert: (condition: unknown, ...args: unknown[]) => {
        if (!condition) print('Assertion failed' + (args.length > 0 ? `: ${formatArgs(args)}` : ''));
      },
    };
    Object.defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true });

    const lines = stdin === '' ? [] : stdin.replace(/\r?\n$/, '').split(/\r?\n/);
    Object.defineProperty(globalThis, 'stdin', { value: stdin, writable: true, configurable: true });
    Object.defineProperty(globalThis, 'readline', { value: () => lines.shift() ?? null, writable: true, configurable: true });
    // A program that closes its worker has finished (the worker stays: the iframe ends it after the result).
    Object.defineProperty(globalThis, 'close', { value: () => finish('ok'), writable: true, configurable: true });

    io.started();
    // A template literal, not the bare variable: Vite's dev server wraps `import(variable)` in a helper that loads
    // its HMR client into the worker (which then prints "[vite] connected." and keeps a timer running).
    import(/* @vite-ignore */ `${url}`).then(
      () => {
        moduleDone = true;
        finishWhenIdle();
      },
      (error: unknown) => fail('Uncaught', error),
    );
  });
}

/**
 * Python (CPython compiled to WebAssembly by Pyodide), stdlib only: no package is ever fetched, and a CDN could
 * not be reached anyway (the runner's CSP).
 *
 * The interpreter is loaded once per worker (seconds: a 9.6 MB wasm and the 2.5 MB stdlib) and kept warm between
 * runs; each run gets a fresh `__main__` module, a fresh sys.stdin over the run's stdin, and its own traceback
 * printing, so one run's variables are not the next run's. Modules a program imported or changed stay imported
 * until the worker is replaced (after a kill, or a fatal error).
 *
 * stdout and stderr are unbuffered (PYTHONUNBUFFERED): what a program printed before an endless loop reaches the
 * output before the worker is killed.
 */
import type { PyodideAPI } from 'pyodide';
import type { EngineIO } from './io.ts';

type LoadPyodide = typeof import('pyodide').loadPyodide;

/**
 * Runs the program as `__main__` of main.py and returns its exit status, printing a traceback (without this
 * driver's frame) for an exception, as `python3 main.py` would.
 */
const DRIVER = `
import builtins, linecache, sys, traceback, types

def run(source):
    linecache.cache['main.py'] = (len(source), None, source.splitlines(True), 'main.py')
    main = types.ModuleType('__main__')
    main.__file__ = 'main.py'
    main.__builtins__ = builtins
    previous_main = sys.modules.get('__main__')
    sys.modules['__main__'] = main
    sys.argv = ['main.py']
    sys.stdin = open(0, 'r', encoding='utf-8', errors='replace', closefd=False)
    try:
        exec(compile(source, 'main.py', 'exec', dont_inherit=True), main.__dict__)
        return 0
    except SystemExit as exit:
        code = exit.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException as error:
        traceback.print_exception(type(error), error, error.__traceback__.tb_next if error.__traceback__ else None)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        if previous_main is not None:
            sys.modules['__main__'] = previous_main
`;

interface Engine {
  pyodide: PyodideAPI;
  run: (source: string) => number;
}

let engine: Promise<Engine> | undefined;

async function load(indexUrl: string): Promise<Engine> {
  // A template literal keeps Vite's dev server from wrapping the import (see engines/javascript.ts).
  const { loadPyodide } = (await import(/* @vite-ignore */ `${indexUrl}pyodide.mjs`)) as { loadPyodide: LoadPyodide };
  const pyodide = await loadPyodide({ indexURL: indexUrl, env: { PYTHONUNBUFFERED: '1', PYTHONHASHSEED: '0' } });
  const namespace = pyodide.globals.get('dict')();
  pyodide.runPython(DRIVER, { globals: namespace, filename: '<pairview-driver>' });
  return { pyodide, run: namespace.get('run') };
}

/** Starts loading pyodide before the first run asks for it. */
export async function preparePython(indexUrl: string): Promise<void> {
  engine ??= load(indexUrl);
  await engine;
}

/** Resolves to the exit status; rejects when the engine itself failed (the worker must then be replaced). */
export async function runPython(code: string, stdin: string, indexUrl: string, io: EngineIO): Promise<'ok' | 'error'> {
  engine ??= load(indexUrl);
  let loaded: Engine;
  try {
    loaded = await engine;
  } catch (error) {
    engine = undefined;
    throw new Error(`Python could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { pyodide, run } = loaded;

  const decoder = new TextDecoder();
  const writer = {
    write(buffer: Uint8Array) {
      io.write(decoder.decode(buffer, { stream: true }));
      return buffer.length;
    },
  };
  pyodide.setStdout(writer);
  pyodide.setStderr(writer);
  let input: Uint8Array | null = new TextEncoder().encode(stdin);
  pyodide.setStdin({
    stdin: () => {
      const chunk = input;
      input = null;
      return chunk !== null && chunk.length > 0 ? chunk : null;
    },
  });

  io.started();
  const exitStatus = run(code);
  const rest = decoder.decode();
  if (rest) io.write(rest);
  return exitStatus === 0 ? 'ok' : 'error';
}

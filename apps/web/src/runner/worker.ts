/**
 * The worker the runner iframe starts for a language (runner/main.ts): it says 'ready', then runs one program per
 * 'run' message and answers 'started', 'output'… and 'done'. It is imported by a data: worker inside the sandboxed
 * iframe, so its origin is opaque too; the engines load their files from the absolute /runner-assets/ URLs given.
 *
 * Candidate code runs in this same global scope and can post messages of its own: the iframe treats what it
 * hears as the program's word (which it is) and enforces the time and output limits itself.
 */
import type { EngineKind, EngineAssets, WorkerMessage, WorkerPrepare, WorkerRun } from './protocol.ts';
import type { EngineIO } from './engines/io.ts';
import { utf8Length } from './output.ts';

interface WorkerScope {
  postMessage(message: WorkerMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRun | WorkerPrepare>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
// Taken before any program runs, so a program replacing self.postMessage does not silence the runner.
const post = scope.postMessage.bind(scope);

let busy = false;

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request?.type === 'prepare') {
    prepare(request.kind, request.assets);
    return;
  }
  if (request?.type !== 'run' || busy) return;
  busy = true;
  let started = false;
  let sentBytes = 0;
  const io: EngineIO = {
    started() {
      if (started) return;
      started = true;
      post({ type: 'started' });
    },
    write(text) {
      // Past the cap the iframe stops the run; until it does, a program printing in a loop sends nothing more.
      if (text === '' || sentBytes > request.outputLimitBytes) return;
      sentBytes += utf8Length(text);
      post({ type: 'output', text });
    },
  };
  run(request, io).then(
    (status) => post({ type: 'done', status }),
    (error: unknown) => {
      // The engine failed, not the program (it could not load, or pyodide hit a fatal error).
      io.started();
      io.write(`${error instanceof Error ? error.message : String(error)}\n`);
      post({ type: 'done', status: 'error', discard: true });
    },
  ).finally(() => {
    busy = false;
  });
});

post({ type: 'ready' });

/** Loads the engine now, so that the run finds it ready; a failure is reported by the run that needs it. */
function prepare(kind: EngineKind, assets: EngineAssets) {
  const loading =
    kind === 'javascript'
      ? import('./engines/javascript.ts')
      : kind === 'python'
        ? import('./engines/python.ts').then(({ preparePython }) => preparePython(assets.pyodideIndexUrl))
        : import('./engines/sql.ts').then(({ prepareSql }) => prepareSql(assets.sqlWasmUrl));
  loading.catch(() => {});
}

async function run(request: WorkerRun, io: EngineIO): Promise<'ok' | 'error'> {
  switch (request.language) {
    case 'javascript':
    case 'typescript': {
      const { runJavaScript } = await import('./engines/javascript.ts');
      return runJavaScript(request.language, request.code, request.stdin, io);
    }
    case 'python': {
      const { runPython } = await import('./engines/python.ts');
      return runPython(request.code, request.stdin, request.assets.pyodideIndexUrl, io);
    }
    case 'sql': {
      const { runSql } = await import('./engines/sql.ts');
      return runSql(request.code, request.assets.sqlWasmUrl, io);
    }
  }
}

/**
 * The web app's build: `npm run build -w @pairview/web` writes dist/, which apps/server serves (src/web/plugin.ts).
 * `npm run dev -w @pairview/web` serves it with hot reload and sends API and sign-in calls to a running
 * Pairview server (PAIRVIEW_URL, default http://localhost:3000).
 *
 * Two pages: index.html (the app) and runner.html (the sandboxed code runner, src/runner/). Everything the runner
 * loads lives under /runner-assets/ — its script, its worker, and the engines' files (pyodide, sql.js's wasm),
 * served by Pairview itself so a clean install runs code offline — because the runner's CSP allows exactly that
 * folder and the server sends it with CORS (the runner's origin is opaque).
 */
import react from '@vitejs/plugin-react';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const server = process.env.PAIRVIEW_URL ?? 'http://localhost:3000';

export const RUNNER_ASSETS = 'runner-assets';

/** The files each engine loads at run time, copied from node_modules into a folder named with the version. */
function engineFiles() {
  const require = createRequire(import.meta.url);
  const pyodideDir = dirname(require.resolve('pyodide/package.json'));
  const sqlJsDir = join(dirname(require.resolve('sql.js')), '..'); // sql.js exports no package.json
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const pyodideFolder = `${RUNNER_ASSETS}/pyodide-${version(pyodideDir)}`;
  const sqlJsFolder = `${RUNNER_ASSETS}/sql.js-${version(sqlJsDir)}`;
  // pyodide.mjs imports pyodide.asm.mjs, which fetches the wasm, the standard library and the lock file
  // (without the lock file pyodide fails with "Error parsing JSON", pyodide#4419). No packages: stdlib only.
  const pyodide = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];
  return {
    pyodideIndexPath: `/${pyodideFolder}/`,
    sqlWasmPath: `/${sqlJsFolder}/sql-wasm-browser.wasm`,
    files: new Map<string, string>([
      ...pyodide.map((name): [string, string] => [`${pyodideFolder}/${name}`, join(pyodideDir, name)]),
      [`${sqlJsFolder}/sql-wasm-browser.wasm`, join(sqlJsDir, 'dist', 'sql-wasm-browser.wasm')],
    ]),
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Copies the engines' files into dist/runner-assets/ and names their paths for the runner (`virtual:runner-assets`).
 * In dev, serves the same files at the same paths, and gives the runner page the CORS it needs: its opaque origin
 * fetches its modules with `Origin: null`, which Vite's default CORS refuses. Only the runner's own paths get
 * `Access-Control-Allow-Origin: *` (the runner's sources, the packages it imports, Vite's client), not the app's.
 */
/** In dev: what runner.html loads — its sources, packages, Vite's client and env, the React refresh preamble. */
const RUNNER_DEV_PATHS = /^\/(?:src\/runner\/|node_modules\/|@fs\/.*\/node_modules\/|@vite\/|@id\/|@react-refresh$)/;

function runnerAssets(): Plugin {
  const engines = engineFiles();
  const virtualId = 'virtual:runner-assets';
  return {
    name: 'pairview-runner-assets',
    resolveId(id) {
      return id === virtualId ? `\0${virtualId}` : undefined;
    },
    load(id) {
      if (id !== `\0${virtualId}`) return undefined;
      return `export const pyodideIndexPath = ${JSON.stringify(engines.pyodideIndexPath)};\nexport const sqlWasmPath = ${JSON.stringify(engines.sqlWasmPath)};\n`;
    },
    generateBundle() {
      for (const [fileName, source] of engines.files) this.emitFile({ type: 'asset', fileName, source: readFileSync(source) });
    },
    configureServer(dev) {
      dev.middlewares.use((request, response, next) => {
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        const file = engines.files.get(path.slice(1));
        if (file) {
          response.setHeader('content-type', CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream');
          response.setHeader('content-length', statSync(file).size);
          response.setHeader('access-control-allow-origin', '*');
          createReadStream(file).pipe(response);
          return;
        }
        // The sandbox and the framing rule as in production; not its connect-src (Vite's client in the page
        // opens a WebSocket), so in dev the runner page itself could fetch — the worker still has an opaque origin.
        if (path === '/runner.html') response.setHeader('content-security-policy', "sandbox allow-scripts; frame-ancestors 'self'");
        if (request.headers.origin === 'null' && RUNNER_DEV_PATHS.test(path)) {
          response.setHeader('access-control-allow-origin', '*');
        }
        next();
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), runnerAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows no inline code: keep every asset a file.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        runner: fileURLToPath(new URL('runner.html', import.meta.url)),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'runner' ? `${RUNNER_ASSETS}/[name]-[hash].js` : 'assets/[name]-[hash].js'),
        // A chunk the runner shares with the app (the message protocol) must be where the runner may load it from.
        chunkFileNames: (chunk) =>
          chunk.moduleIds.some((id) => id.includes('/src/runner/')) ? `${RUNNER_ASSETS}/[name]-[hash].js` : 'assets/[name]-[hash].js',
      },
    },
  },
  worker: {
    // Module workers: the engines are loaded with import(). Only the runner has workers.
    format: 'es',
    rolldownOptions: {
      output: {
        entryFileNames: `${RUNNER_ASSETS}/[name]-[hash].js`,
        chunkFileNames: `${RUNNER_ASSETS}/[name]-[hash].js`,
        assetFileNames: `${RUNNER_ASSETS}/[name]-[hash][extname]`,
      },
    },
  },
  server: {
    proxy: {
      '/api': server,
      '/auth': server,
      '/healthz': server,
    },
  },
});

/**
 * A page on Pairview's origin that drives the runner, for the runner's browser test and benchmark (no room page
 * imports the runner yet): `/test-runner-host` with the app page's exact headers, whose script puts the real
 * runner-client.ts on `window`. The client and the protocol it imports are served from the source with their types
 * stripped (Node's stripTypeScriptTypes: they use erasable syntax only), so what runs is the code the room uses.
 *
 * Also `/test-runner-host/silent-runner.html`: a stand-in runner page that says it is ready and has started, then
 * never answers again (for the host's watchdog).
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { AppPlugin } from '../../server/src/context.ts';
import { publicAccess } from '../../server/src/auth/policies.ts';
import { PAGE_HEADERS } from '../../server/src/web/plugin.ts';
import type { CodeRunner, RunRequest, RunResult, createCodeRunner } from '../src/room/runner-client.ts';

export const RUNNER_HOST_PATH = '/test-runner-host';

const webSrc = resolve(fileURLToPath(new URL('../src/', import.meta.url)));

const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>runner host</title>
<script type="module" src="${RUNNER_HOST_PATH}/host.js"></script></head><body></body></html>`;

const HOST_SCRIPT = `import { createCodeRunner } from '${RUNNER_HOST_PATH}/src/room/runner-client.ts';
window.runner = createCodeRunner();
window.createCodeRunner = createCodeRunner;
window.hostReady = true;`;

const SILENT_RUNNER = `<!doctype html><html><head><script type="module" src="${RUNNER_HOST_PATH}/silent-runner.js"></script></head></html>`;
const SILENT_RUNNER_SCRIPT = `addEventListener('message', (event) => {
  if (event.data?.type === 'run') parent.postMessage({ source: 'pairview-runner', type: 'started', id: event.data.id }, '*');
});
parent.postMessage({ source: 'pairview-runner', type: 'ready' }, '*');`;

declare global {
  interface Window {
    runner: CodeRunner;
    createCodeRunner: typeof createCodeRunner;
    hostReady: boolean;
  }
}

/** The host page's routes; `onRequest`, if given, sees every path the server is asked for. */
export function runnerTestHost(options: { onRequest?: (url: string) => void } = {}): AppPlugin {
  return (server) => {
    const { onRequest } = options;
    if (onRequest) {
      server.addHook('onRequest', async (request) => {
        onRequest(request.url);
      });
    }
    const config = { policy: publicAccess, summary: 'Test only: a Pairview-origin page that drives the runner' };
    server.get(RUNNER_HOST_PATH, { config }, async (_request, reply) => reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(HOST_PAGE));
    server.get(`${RUNNER_HOST_PATH}/host.js`, { config }, async (_request, reply) => reply.type('text/javascript').send(HOST_SCRIPT));
    server.get(`${RUNNER_HOST_PATH}/silent-runner.html`, { config }, async (_request, reply) =>
      reply.header('content-security-policy', "default-src 'none'; script-src 'self'; sandbox allow-scripts").type('text/html').send(SILENT_RUNNER),
    );
    server.get(`${RUNNER_HOST_PATH}/silent-runner.js`, { config }, async (_request, reply) =>
      reply.header('access-control-allow-origin', '*').type('text/javascript').send(SILENT_RUNNER_SCRIPT),
    );
    server.get(`${RUNNER_HOST_PATH}/src/*`, { config }, async (request, reply) => {
      const file = resolve(webSrc, (request.params as { '*': string })['*']);
      if (!file.startsWith(webSrc + sep) || !file.endsWith('.ts')) return reply.code(404).send();
      return reply.type('text/javascript').send(stripTypeScriptTypes(readFileSync(file, 'utf8')));
    });
  };
}

/** Opens the host page and waits for its runner. */
export async function openRunnerHost(page: Page, base: string): Promise<void> {
  await page.goto(`${base}${RUNNER_HOST_PATH}`);
  await page.waitForFunction(() => window.hostReady === true);
}

export type ObservedRun = RunResult & { chunks: string[]; wallMs: number };

/** A run through the page's runner, with the chunks onOutput saw and the time the page waited for it. */
export async function runOnPage(page: Page, request: RunRequest): Promise<ObservedRun> {
  return page.evaluate(async (request) => {
    const chunks: string[] = [];
    const started = performance.now();
    const result = await window.runner.run(request, (chunk) => chunks.push(chunk));
    return { ...result, chunks, wallMs: performance.now() - started };
  }, request);
}

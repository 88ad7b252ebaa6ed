/**
 * Serves the built web app (apps/web/dist, `npm run build -w @pairview/web`) from the Pairview server:
 * hashed assets with a long cache, and index.html for every other page path (the app routes in the browser).
 * API-looking paths that no route matched get a JSON 404 instead of the page, so a typo in an API call is an
 * error, not HTML.
 *
 * The code runner (runner.html and everything under runner-assets/, apps/web/src/runner/) is served differently:
 * it runs candidate code, so it gets a CSP of its own that sandboxes it into an opaque origin and allows it no
 * network beyond its own files, and those files are sent with CORS because that opaque origin fetches them.
 *
 * Registered as an AppPlugin (main.ts passes it to buildApp); tests pass it with their own `distDir`.
 */
import fastifyStatic from '@fastify/static';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppPlugin } from '../context.ts';
import { publicAccess } from '../auth/policies.ts';
import { errorBody, routeNotFound } from '../http/errors.ts';

/** apps/server/src/web → apps/web/dist */
export const DEFAULT_WEB_DIST = resolve(fileURLToPath(new URL('../../../web/dist/', import.meta.url)));

/** Paths the server owns: never answered with the page. */
const SERVER_PATHS = /^\/(api|auth|wecom|healthz|_emulator)(\/|$)/;

/**
 * The page may only talk to its own origin. No inline script or style: Vite's build emits files, and the
 * candidate link's token must not leak through a referrer to anything else.
 */
export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
} as const;

/** The runner's files: its script, its worker, pyodide and sql.js (apps/web/vite.config.ts puts them here). */
export const RUNNER_ASSETS = 'runner-assets';

/** A Host header that can be written into a CSP as it is: a host name or IP, and a port. */
const PLAIN_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The runner page's headers. `sandbox allow-scripts` gives it an opaque origin even when it is opened on its own
 * (not only inside Pairview's `<iframe sandbox>`): no cookies, no storage, no same-origin access to Pairview.
 * Its scripts and workers may load, and fetch, only /runner-assets/ — the path needs an origin in CSP, so each of
 * Pairview's origins is named (PAIRVIEW_PUBLIC_URL, and the one the browser used, which differs behind a proxy or
 * in tests). Workers start from data: URLs (an opaque origin cannot start one from a URL of Pairview's) and
 * inherit this policy; the modules a module worker imports count as worker scripts, hence worker-src names
 * /runner-assets/ too. Candidate JavaScript is imported from blob: URLs. 'unsafe-eval' (which implies
 * 'wasm-unsafe-eval'): WebAssembly needs it, and a candidate's eval() is just more of the code the runner is there
 * to run. Only Pairview's own pages may frame it.
 */
export function runnerPageHeaders(origins: readonly string[]): Record<string, string> {
  const assets = [...new Set(origins)].map((origin) => `${origin}/${RUNNER_ASSETS}/`).join(' ');
  return {
    'content-security-policy':
      `default-src 'none'; script-src ${assets} blob: 'unsafe-eval'; worker-src data: ${assets}; connect-src ${assets}; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-scripts",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
}

/**
 * The runner's files are public and fetched by an opaque origin (CORS mode, `Origin: null`): any origin may read
 * them, without credentials. Their names carry a content hash or the engine's version, so they never change.
 */
const RUNNER_ASSET_HEADERS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
} as const;

/** The origins the browser may know this server by: the configured public URL, and the request's own. */
function pairviewOrigins(request: FastifyRequest, publicUrl: URL): string[] {
  const origins = [publicUrl.origin];
  if (PLAIN_HOST.test(request.host)) origins.push(`${request.protocol}://${request.host.toLowerCase()}`);
  return origins;
}

export interface WebAppOptions {
  /** The Vite build output; default apps/web/dist. */
  distDir?: string;
}

export function webApp(options: WebAppOptions = {}): AppPlugin {
  const distDir = resolve(options.distDir ?? DEFAULT_WEB_DIST);
  return async (app, context) => {
    let cachedPage: { mtimeMs: number; html: string } | undefined;
    let cachedRunner: { mtimeMs: number; html: string } | undefined;

    async function runnerPage(): Promise<string | undefined> {
      const file = join(distDir, 'runner.html');
      const info = await stat(file).catch(() => undefined);
      if (!info) return undefined;
      if (cachedRunner?.mtimeMs !== info.mtimeMs) cachedRunner = { mtimeMs: info.mtimeMs, html: await readFile(file, 'utf8') };
      return cachedRunner.html;
    }

    /** index.html with the server's default language (PAIRVIEW_LOCALE) for pages shown before anyone signs in. */
    async function page(): Promise<string | undefined> {
      const file = join(distDir, 'index.html');
      const info = await stat(file).catch(() => undefined);
      if (!info) return undefined;
      if (cachedPage?.mtimeMs !== info.mtimeMs) {
        const html = (await readFile(file, 'utf8')).replace(
          /<html[^>]*>/,
          // The time zone is an IANA name the configuration checked (letters, digits, '/', '_', '-', '+').
          `<html lang="${context.config.locale === 'zh' ? 'zh-CN' : 'en'}" data-default-locale="${context.config.locale}" data-time-zone="${context.config.timeZone}">`,
        );
        cachedPage = { mtimeMs: info.mtimeMs, html };
      }
      return cachedPage.html;
    }

    /** The file under distDir that `urlPath` names, if there is one (never outside distDir). */
    async function fileFor(urlPath: string): Promise<string | undefined> {
      let decoded: string;
      try {
        decoded = decodeURIComponent(urlPath);
      } catch {
        return undefined;
      }
      if (decoded.includes('\0')) return undefined;
      const file = resolve(distDir, `.${decoded}`);
      if (!file.startsWith(distDir + sep)) return undefined;
      const info = await stat(file).catch(() => undefined);
      return info?.isFile() ? file.slice(distDir.length + 1) : undefined;
    }

    function notFound(reply: FastifyReply, path: string) {
      return reply.code(404).send(errorBody(routeNotFound('GET', path)));
    }

    await app.register(async (web) => {
      // Only the reply.sendFile decorator: our route below decides what is a file and what is a page.
      await web.register(fastifyStatic, { root: distDir, serve: false, dotfiles: 'ignore' });

      web.get('/*', { config: { policy: publicAccess, summary: 'The web app: built files, and index.html for page paths' } }, async (request, reply) => {
        const path = request.url.split('?')[0] ?? '/';
        if (SERVER_PATHS.test(path)) return notFound(reply, path);

        if (path === '/runner.html') {
          const html = await runnerPage();
          if (!html) return notFound(reply, path);
          return reply.headers(runnerPageHeaders(pairviewOrigins(request, context.config.publicUrl))).type('text/html; charset=utf-8').send(html);
        }

        const file = path === '/' ? undefined : await fileFor(path);
        if (file?.startsWith(`${RUNNER_ASSETS}${sep}`)) {
          reply.headers(RUNNER_ASSET_HEADERS);
          // Streamed compilation (WebAssembly.instantiateStreaming) requires exactly this type.
          if (file.endsWith('.wasm')) reply.type('application/wasm');
          return reply.sendFile(file, { maxAge: '365d', immutable: true });
        }
        if (file) {
          // Vite names everything under assets/ by content hash: cache for good. Other files (favicon) briefly.
          const hashed = file.startsWith(`assets${sep}`);
          return reply.sendFile(file, { maxAge: hashed ? '365d' : '1h', immutable: hashed });
        }
        // A missing file (an old asset, a typo) is a 404, not the page: the browser would try to run HTML as JS.
        if (extname(path) !== '') return notFound(reply, path);

        const html = await page();
        if (!html) {
          return reply
            .code(503)
            .type('text/plain; charset=utf-8')
            .send('The Pairview web app is not built yet: run `npm run build -w @pairview/web` (npm start does it for you), then reload.');
        }
        return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
      });
    });
  };
}

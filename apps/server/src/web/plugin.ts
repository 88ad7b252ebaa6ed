/**
 * Serves the built web app (apps/web/dist, `npm run build -w @pairview/web`) from the Pairview server:
 * hashed assets with a long cache, and index.html for every other page path (the app routes in the browser).
 * API-looking paths that no route matched get a JSON 404 instead of the page, so a typo in an API call is an
 * error, not HTML.
 *
 * Registered as an AppPlugin (main.ts passes it to buildApp); tests pass it with their own `distDir`.
 */
import fastifyStatic from '@fastify/static';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { AppPlugin } from '../app.ts';
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
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
} as const;

export interface WebAppOptions {
  /** The Vite build output; default apps/web/dist. */
  distDir?: string;
}

export function webApp(options: WebAppOptions = {}): AppPlugin {
  const distDir = resolve(options.distDir ?? DEFAULT_WEB_DIST);
  return async (app, context) => {
    let cachedPage: { mtimeMs: number; html: string } | undefined;

    /** index.html with the server's default language (PAIRVIEW_LOCALE) for pages shown before anyone signs in. */
    async function page(): Promise<string | undefined> {
      const file = join(distDir, 'index.html');
      const info = await stat(file).catch(() => undefined);
      if (!info) return undefined;
      if (cachedPage?.mtimeMs !== info.mtimeMs) {
        const html = (await readFile(file, 'utf8')).replace(
          /<html[^>]*>/,
          `<html lang="${context.config.locale === 'zh' ? 'zh-CN' : 'en'}" data-default-locale="${context.config.locale}">`,
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

        const file = path === '/' ? undefined : await fileFor(path);
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

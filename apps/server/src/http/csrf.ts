/**
 * Cross-site request forgery. A browser sends Pairview's cookies with a request another site makes it send, so a
 * state-changing request (anything but GET, HEAD, OPTIONS) from a browser must come from Pairview's own pages:
 *   - `Sec-Fetch-Site` (every current browser sends it) must be `same-origin` (or `none`: typed by the person);
 *   - otherwise `Origin`, when present, must be Pairview's own (its public URL, or the Host it was reached at).
 * A request with neither is not a browser's (curl, WeCom's servers posting callbacks, tests), and carries no
 * cookie a page could have made it carry. SameSite=Lax on the session cookie is the second line, not the only one.
 *
 * Bodies: the API reads JSON only. Fastify also parses text/plain by default — the one body type a cross-site
 * <form> or a simple fetch can send without asking first — so that parser is removed (such a body gets 415).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerCsrfGuard(app: FastifyInstance, publicUrl: URL): void {
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (!fromThisSite(request, publicUrl)) {
      throw new ForbiddenError({
        code: 'cross_site_request',
        en: 'This request came from another site: changes are accepted only from Pairview\'s own pages. Open Pairview and try again there',
        zh: '这个请求来自其他网站：只接受来自 Pairview 自身页面的修改。请打开 Pairview 后在页面中重试。',
      });
    }
  });
}

function fromThisSite(request: FastifyRequest, publicUrl: URL): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === publicUrl.origin) return true;
  const host = request.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

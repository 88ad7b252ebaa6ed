/**
 * Headers every answer carries unless its route set its own (the web pages and the runner page set stricter ones,
 * web/plugin.ts):
 *   - X-Content-Type-Options: nosniff, and a Referrer-Policy that keeps paths (candidate links) on this site;
 *   - no framing by other sites (X-Frame-Options for old browsers, CSP frame-ancestors for the rest);
 *   - Strict-Transport-Security once Pairview is served over https (PAIRVIEW_PUBLIC_URL);
 *   - API answers (/api/…) carry people's names, feedback and notes: Cache-Control: no-store, so neither a shared
 *     cache nor the browser's back/forward cache keeps them.
 */
import type { FastifyInstance } from 'fastify';

export function registerSecurityHeaders(app: FastifyInstance, publicUrl: URL): void {
  const https = publicUrl.protocol === 'https:';
  app.addHook('onSend', async (request, reply, payload) => {
    const setIfAbsent = (name: string, value: string) => {
      if (!reply.hasHeader(name)) reply.header(name, value);
    };
    setIfAbsent('x-content-type-options', 'nosniff');
    setIfAbsent('referrer-policy', 'same-origin');
    // A page with a policy of its own says who may frame it (the runner page: Pairview itself).
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', "frame-ancestors 'none'");
      setIfAbsent('x-frame-options', 'DENY');
    }
    if (https) setIfAbsent('strict-transport-security', 'max-age=31536000');
    if (request.url.startsWith('/api/')) setIfAbsent('cache-control', 'no-store');
    return payload;
  });
}

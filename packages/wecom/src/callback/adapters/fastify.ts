/**
 * fastify adapter: a plugin that registers GET and POST on the callback path. It reads the body raw (any content
 * type, capped at the receiver's maxBodyBytes), takes the query from the raw URL (fastify's parser would turn a
 * `+` in echostr into a space, §6.2) and answers through the shared mapping (http.ts). It imports fastify for
 * types only, so fastify stays the app's dependency.
 *
 *   await app.register(wecomCallbackPlugin, { receiver, path: '/wecom/callback' });
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { CallbackReceiver } from '../receiver.ts';
import { bodyTooLarge, failure, respondToCallback, type CallbackHttpResponse } from './http.ts';

export interface FastifyCallbackOptions {
  receiver: CallbackReceiver;
  /** Default `/wecom/callback`. */
  path?: string;
  /** Merged into each route's `config`, for apps whose hooks read per-route settings (e.g. an access policy). */
  routeConfig?: Record<string, unknown>;
}

export const wecomCallbackPlugin: FastifyPluginAsync<FastifyCallbackOptions> = async (fastify: FastifyInstance, options) => {
  const { receiver } = options;
  const path = options.path ?? '/wecom/callback';
  if (!receiver || typeof receiver.receive !== 'function') throw new TypeError('wecomCallbackPlugin needs { receiver }: createCallbackHandler(...)');
  const limit = receiver.maxBodyBytes;

  // The plugin is encapsulated (no fastify-plugin wrapper), so this parser and error handler apply only here.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));
  fastify.setErrorHandler(async (error: { code?: string; statusCode?: number }, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      await receiver.reportError(bodyTooLarge(limit));
      return send(reply, failure(bodyTooLarge(limit)));
    }
    await receiver.reportError(error instanceof Error ? error : new Error(String(error)));
    return send(reply, { status: error.statusCode && error.statusCode < 500 ? error.statusCode : 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'bad request\n' });
  });

  const handler = async (request: { method: string; raw: { url?: string }; body?: unknown }, reply: Reply) => {
    const url = request.raw.url ?? '';
    const queryAt = url.indexOf('?');
    const body = Buffer.isBuffer(request.body) ? request.body : typeof request.body === 'string' ? request.body : '';
    return send(reply, await respondToCallback(receiver, { method: request.method, query: queryAt === -1 ? '' : url.slice(queryAt + 1), body }));
  };
  // Other methods are routed too, so they get the shared 405 rather than fastify's 404.
  fastify.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: path, handler, ...(options.routeConfig ? { config: options.routeConfig } : {}) });
};

interface Reply {
  code(status: number): Reply;
  headers(values: Record<string, string>): Reply;
  send(body: string): unknown;
}

function send(reply: Reply, answer: CallbackHttpResponse): unknown {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * node:http adapter (octokit's createNodeMiddleware): serves the callback path, reads the body with the size cap,
 * and answers through the shared mapping (http.ts). Other paths go to `next` (Express/Connect style) or get a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackReceiver } from '../receiver.ts';
import { bodyTooLarge, failure, respondToCallback, type CallbackHttpResponse } from './http.ts';

export interface NodeMiddlewareOptions {
  /** The callback URL's path, as configured in the admin console. Default `/wecom/callback`. */
  path?: string;
}

export type NodeMiddleware = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => Promise<boolean>;

/** Returns a request listener; it resolves true when it answered the request, false when it passed it on. */
export function createNodeMiddleware(receiver: CallbackReceiver, options: NodeMiddlewareOptions = {}): NodeMiddleware {
  const path = options.path ?? '/wecom/callback';
  if (!path.startsWith('/')) throw new TypeError(`path must start with "/"; got "${path}"`);
  return async (request, response, next) => {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    if (pathname !== path) {
      if (next) {
        next();
        return false;
      }
      send(response, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found\n' });
      return true;
    }
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const method = request.method ?? 'GET';
    let body: Buffer = Buffer.alloc(0);
    if (method === 'POST') {
      const read = await readBody(request, receiver.maxBodyBytes);
      if (read === undefined) {
        send(response, failure(bodyTooLarge(receiver.maxBodyBytes)));
        await receiver.reportError(bodyTooLarge(receiver.maxBodyBytes));
        return true;
      }
      body = read;
    } else {
      request.resume();
    }
    send(response, await respondToCallback(receiver, { method, query, body }));
    return true;
  };
}

/** Reads the body, or undefined as soon as it exceeds `limit` (checked on Content-Length first, then while reading). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume(); // drain, so the connection can carry the 413
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function send(response: ServerResponse, answer: CallbackHttpResponse): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  response.end(answer.body);
}

/**
 * The one mapping from a callback request to an HTTP answer, shared by every adapter so they cannot acknowledge
 * differently:
 *
 * | Outcome                                         | Status | Body                              |
 * |-------------------------------------------------|--------|-----------------------------------|
 * | GET verified                                    | 200    | the plain echostr (no newline)    |
 * | POST accepted, no reply / duplicate             | 200    | empty (§6.7)                      |
 * | POST accepted, a handler replied in time        | 200    | encrypted reply envelope (§6.6)   |
 * | missing/invalid parameter, malformed body       | 400    | what is wrong                     |
 * | bad signature, timestamp outside the window     | 401    | what is wrong                     |
 * | signed with our Token but not decryptable for   | 403    | what is wrong (foreign key/CorpID)|
 * |   us (wrong receive id, bad padding)            |        |                                   |
 * | method other than GET/POST                      | 405    | with Allow: GET, POST             |
 * | body over maxBodyBytes                          | 413    | the limit                         |
 * | a handler failed before the answer was sent     | 500    | "not taken in" (WeCom retries; the  |
 * |   (retryOnHandlerError, the default)            |        |   dedupe claim was released)       |
 * | a bug in the receiver itself                    | 500    | "internal error" (details → onError) |
 *
 * WeCom retries anything but 200 (§6.7). Bodies are text/plain and never contain a token, key or ciphertext.
 */
import { CallbackRequestError } from '../errors.ts';
import type { CallbackReceiver, QueryInput } from '../receiver.ts';

export interface CallbackHttpRequest {
  method: string;
  /** Prefer the raw query string: it is decoded without turning `+` into a space (§6.2). */
  query: QueryInput;
  body: string | Uint8Array;
}

export interface CallbackHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const TEXT = 'text/plain; charset=utf-8';

export async function respondToCallback(receiver: CallbackReceiver, request: CallbackHttpRequest): Promise<CallbackHttpResponse> {
  try {
    const method = request.method.toUpperCase();
    if (method === 'GET') {
      return { status: 200, headers: { 'content-type': TEXT }, body: await receiver.verifyUrl(request.query) };
    }
    if (method === 'POST') {
      const received = await receiver.receive({ query: request.query, body: request.body });
      if (received.failed) {
        return { status: 500, headers: { 'content-type': TEXT }, body: 'the callback was not taken in; WeCom will retry it\n' };
      }
      return received.reply === undefined
        ? { status: 200, headers: { 'content-type': TEXT }, body: '' }
        : { status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: received.reply };
    }
    return failure(new CallbackRequestError('method_not_allowed', `${method} is not a WeCom callback method; WeCom sends GET to verify the URL and POST to deliver`));
  } catch (error) {
    if (error instanceof CallbackRequestError) return failure(error);
    await receiver.reportError(error instanceof Error ? error : new Error(String(error)));
    return { status: 500, headers: { 'content-type': TEXT }, body: 'internal error' };
  }
}

/** The answer to a refused request; adapters use it for errors they detect themselves (a body over the cap). */
export function failure(error: CallbackRequestError): CallbackHttpResponse {
  const headers: Record<string, string> = { 'content-type': TEXT };
  if (error.status === 405) headers.allow = 'GET, POST';
  if (error.status === 413) headers.connection = 'close';
  return { status: error.status, headers, body: `${error.message}\n` };
}

export function bodyTooLarge(limit: number): CallbackRequestError {
  return new CallbackRequestError('body_too_large', `the body is larger than ${limit} bytes; WeCom callback envelopes are a few KiB`);
}

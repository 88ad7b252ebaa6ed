/**
 * One error handler: Pairview errors and client errors (bad JSON, wrong content type) become 4xx with a stable
 * code and a message in English and Chinese that says what to fix; anything else is logged and answered with a
 * 500 whose message says nothing internal. The body (README, "Errors"):
 *
 *   { error, code, message, messageZh, fields? }
 *
 * `error` is the kind (one per status), `code` the precise reason a client may branch on, `message` English,
 * `messageZh` Chinese; `fields` lists per-field problems ({ in, path, code, message, messageZh }) when the error
 * is about input fields. Both languages always travel: the web app shows the one its reader chose, without asking
 * the server again when they switch.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, PairviewError, type ErrorDetail, type FieldLocation } from '../errors.ts';

export interface FieldErrorBody {
  in: FieldLocation;
  path: string;
  code: string;
  message: string;
  messageZh: string;
}

export interface ErrorBody {
  error: string;
  code: string;
  message: string;
  messageZh: string;
  fields?: FieldErrorBody[];
}

export function errorBody(error: PairviewError): ErrorBody {
  return {
    error: error.error,
    code: error.code,
    message: error.message,
    messageZh: error.messageZh,
    ...(error.fields.length
      ? { fields: error.fields.map((f) => ({ in: f.in, path: f.path, code: f.code, message: f.message.en, messageZh: f.message.zh })) }
      : {}),
  };
}

/** No route (and no page) at this address. */
export function routeNotFound(method: string, path: string): NotFoundError {
  const where = method === 'GET' ? path : `${method} ${path}`;
  return new NotFoundError({ code: 'route_not_found', en: `Nothing at ${where}: check the address`, zh: `${where} 没有对应的内容，请检查地址。` });
}

/** fastify's own refusals (before any handler runs), by their error code. */
const CLIENT_ERRORS: Record<string, { code: string; zh: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', zh: '请求内容不是有效的 JSON。' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'empty_json_body', zh: '请求声明了 JSON 格式，但内容为空。' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', zh: '不支持这种请求内容格式，请发送 application/json。' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body_too_large', zh: '请求内容太大。' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'invalid_content_length', zh: '请求的 Content-Length 与内容不符。' },
  FST_ERR_BAD_URL: { code: 'bad_url', zh: '地址格式不正确。' },
};

function clientError(error: FastifyError): ErrorDetail {
  // A JSON syntax error carries no fastify code of its own in every version: recognise it by its type.
  const known = CLIENT_ERRORS[error.code ?? ''] ?? (error instanceof SyntaxError ? CLIENT_ERRORS['FST_ERR_CTP_INVALID_JSON_BODY'] : undefined);
  return {
    code: known?.code ?? 'bad_request',
    en: error.message,
    zh: known?.zh ?? '请求格式不正确，服务器无法处理。',
  };
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): ErrorBody {
  if (error instanceof PairviewError) {
    reply.code(error.statusCode);
    return errorBody(error);
  }
  if (error instanceof z.ZodError) {
    // Only handlers parse with zod after the input schemas; a ZodError here is the response schema: our bug.
    request.log.error({ err: error }, 'response did not match its schema');
  } else {
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      reply.code(status);
      return { error: 'invalid_request', ...bodyOf(clientError(error as FastifyError)) };
    }
    request.log.error({ err: error }, 'request failed');
  }
  reply.code(500);
  return {
    error: 'internal',
    code: 'internal',
    message: 'Something went wrong on our side; it has been logged. Try again later.',
    messageZh: '服务器出错了，已记录下来，请稍后重试。',
  };
}

function bodyOf(detail: ErrorDetail): Omit<ErrorBody, 'error'> {
  return { code: detail.code, message: detail.en, messageZh: detail.zh };
}

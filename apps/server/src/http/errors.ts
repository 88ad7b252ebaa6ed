/**
 * One error handler: Pairview errors and client errors (bad JSON, wrong content type) become 4xx with a message
 * that says what to fix; anything else is logged and answered with a 500 whose message says nothing internal.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PairviewError } from '../errors.ts';
import { describeIssues } from './route.ts';

export interface ErrorBody {
  error: string;
  message: string;
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): ErrorBody {
  if (error instanceof PairviewError) {
    reply.code(error.statusCode);
    return { error: error.code, message: error.message };
  }
  if (error instanceof z.ZodError) {
    // Only handlers parse with zod after the input schemas; a ZodError here is the response schema: our bug.
    request.log.error({ err: error }, 'response did not match its schema');
  } else {
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      reply.code(status);
      return { error: 'invalid_request', message: error.message };
    }
    request.log.error({ err: error }, 'request failed');
  }
  reply.code(500);
  return { error: 'internal', message: 'Something went wrong on our side; it has been logged. Try again later.' };
}

export { describeIssues };

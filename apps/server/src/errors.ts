/**
 * The errors domain code throws. Each carries the HTTP status the API answers with and a message that says what
 * to fix; the HTTP layer (http/errors.ts) turns them into `{ error, message }`. Anything else is a 5xx whose
 * message is hidden.
 */
export class PairviewError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** The request is well-formed but asks for something impossible (a start in the past, an unknown person). */
export class InvalidRequestError extends PairviewError {
  override name = 'InvalidRequestError';
  constructor(message: string) {
    super(400, 'invalid_request', message);
  }
}

/** No session, or an expired one: sign in again. */
export class UnauthenticatedError extends PairviewError {
  override name = 'UnauthenticatedError';
  constructor(message = 'Sign in with WeCom to continue') {
    super(401, 'unauthenticated', message);
  }
}

/** Signed in (or holding a candidate link) but not allowed: says nothing about the resource. */
export class ForbiddenError extends PairviewError {
  override name = 'ForbiddenError';
  constructor(message = 'You do not have access to this') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends PairviewError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** The change clashes with the current state (stale version, already submitted, already decided). */
export class ConflictError extends PairviewError {
  override name = 'ConflictError';
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

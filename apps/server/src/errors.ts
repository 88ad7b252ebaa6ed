/**
 * The errors domain code throws. Each carries the HTTP status the API answers with, a stable machine `code`
 * (what a client may branch on), and a message that says what to fix in both languages Pairview speaks: English
 * in `message` (logs, curl, tests), Chinese in `messageZh`. An error about one input field names it in `fields`,
 * so the web app shows it beside that field. The HTTP layer (http/errors.ts) turns them into
 * `{ error, code, message, messageZh, fields? }` (README, "Errors"). Anything else is a 5xx whose message is hidden.
 */

/** One sentence in Pairview's two languages. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** Where a field lives in the request. */
export type FieldLocation = 'body' | 'query' | 'params';

/** A problem with one input field. */
export interface FieldProblem {
  in: FieldLocation;
  /** Dotted path inside `in`, array indexes included: `candidate.email`, `interviewerIds.2`, `skillNotes.0.skill`. */
  path: string;
  /** Stable machine code: `required`, `too_long`, `invalid_email`, `start_in_past`, … */
  code: string;
  /** Said beside the field, so it does not repeat the field's name. */
  message: Bilingual;
}

export interface ErrorDetail extends Bilingual {
  /** Stable machine code, snake_case: `interview_version_conflict`, `start_in_past`, … */
  code: string;
  fields?: readonly FieldProblem[];
}

/** A problem with a body field (what service checks that concern one field use). */
export function bodyField(path: string, code: string, message: Bilingual): FieldProblem {
  return { in: 'body', path, code, message };
}

export class PairviewError extends Error {
  readonly statusCode: number;
  /** The kind of failure, one per status: invalid_request, unauthenticated, forbidden, not_found, conflict. */
  readonly error: string;
  readonly code: string;
  readonly messageZh: string;
  readonly fields: readonly FieldProblem[];
  /**
   * `detail` as a plain string is English only (the code is then `error`, the Chinese a generic sentence): kept for
   * errors that never reach the JSON API (the WeCom sign-in pages show their own words). The API's own errors
   * pass an ErrorDetail.
   */
  constructor(statusCode: number, error: string, detail: ErrorDetail | string, genericZh: string) {
    const full = typeof detail === 'string' ? { code: error, en: detail, zh: genericZh } : detail;
    super(full.en);
    this.statusCode = statusCode;
    this.error = error;
    this.code = full.code;
    this.messageZh = full.zh;
    this.fields = full.fields ?? [];
  }
}

/** The request is well-formed but asks for something impossible (a start in the past, an unknown person). */
export class InvalidRequestError extends PairviewError {
  override name = 'InvalidRequestError';
  constructor(detail: ErrorDetail | string) {
    super(400, 'invalid_request', detail, '请求无效，请检查填写的内容后重试。');
  }
}

/** No session, or an expired one: sign in again. */
export class UnauthenticatedError extends PairviewError {
  override name = 'UnauthenticatedError';
  constructor(
    detail: ErrorDetail | string = { code: 'sign_in_required', en: 'Sign in with WeCom to continue', zh: '请先使用企业微信登录。' },
  ) {
    super(401, 'unauthenticated', detail, '请先使用企业微信登录。');
  }
}

/** Signed in (or holding a candidate link) but not allowed: says nothing about the resource. */
export class ForbiddenError extends PairviewError {
  override name = 'ForbiddenError';
  constructor(detail: ErrorDetail | string = { code: 'forbidden', en: 'You do not have access to this', zh: '你没有权限访问此内容。' }) {
    super(403, 'forbidden', detail, '你没有权限访问此内容。');
  }
}

export class NotFoundError extends PairviewError {
  override name = 'NotFoundError';
  constructor(detail: ErrorDetail | string) {
    super(404, 'not_found', detail, '找不到该内容。');
  }
}

/** The change clashes with the current state (stale version, already submitted, already decided). */
export class ConflictError extends PairviewError {
  override name = 'ConflictError';
  constructor(detail: ErrorDetail | string) {
    super(409, 'conflict', detail, '这项操作与当前状态冲突，请刷新后重试。');
  }
}

/** Too much at once from one place (a room's runs waiting): wait for what is already running. */
export class TooManyRequestsError extends PairviewError {
  override name = 'TooManyRequestsError';
  constructor(detail: ErrorDetail) {
    super(429, 'too_many_requests', detail, '请求过多，请稍后再试。');
  }
}

/** Something Pairview depends on (the code runner) is down or missing: nothing was changed. */
export class ServiceUnavailableError extends PairviewError {
  override name = 'ServiceUnavailableError';
  constructor(detail: ErrorDetail) {
    super(503, 'unavailable', detail, '服务暂时不可用，请稍后再试。');
  }
}

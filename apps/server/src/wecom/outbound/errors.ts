/**
 * Which WeCom failures are worth retrying. A permanent one (81013 nobody valid, 60011 no privilege, 40003 bad
 * userid, 48002 API forbidden, 301002 another app's agentid, a message that fails validation, …) is recorded as
 * failed with its errcode and reason; a transient one (network, HTTP 5xx, -1 busy, 45009/45033 frequency,
 * wecom-protocol.md §4–§5) is thrown so the delivery job retries with backoff.
 */
import {
  MessageValidationError,
  RateLimitWaitError,
  TRANSIENT_ERRCODES,
  WeComError,
  WeComHttpError,
  WeComNetworkError,
} from '@pairview/wecom';

export type FailureKind = { kind: 'permanent'; errcode: number | undefined; errmsg: string } | { kind: 'transient' };

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof MessageValidationError) return { kind: 'permanent', errcode: undefined, errmsg: error.message };
  if (error instanceof WeComError) {
    if (TRANSIENT_ERRCODES.has(error.errcode)) return { kind: 'transient' };
    // A bad secret or an untrusted server IP (60020) stops every message alike: it is the app's configuration,
    // fixed by an admin, after which the waiting messages should still go out.
    if (error.kind === 'token' || error.kind === 'trusted_ip') return { kind: 'transient' };
    return { kind: 'permanent', errcode: error.errcode, errmsg: error.message };
  }
  if (error instanceof WeComHttpError || error instanceof WeComNetworkError || error instanceof RateLimitWaitError) return { kind: 'transient' };
  // Anything else (the database, a bug) is retried too; its message is kept on the outbox row.
  return { kind: 'transient' };
}

/** The errcode of an error, when it is a WeCom one. */
export function errcodeOf(error: unknown): number | undefined {
  return error instanceof WeComError ? error.errcode : undefined;
}

/** WeCom's answer to an unknown, used or expired response_code (§3.6). */
export const INVALID_RESPONSE_CODE = 60140;

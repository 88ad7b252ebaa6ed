export type { ApiCaller, ApiRequest, RetrySafety, WeComResponse } from './types.ts';
export { RequestSender, type RequestSenderOptions } from './request-sender.ts';
export { backoffDelay, shouldRetry, DEFAULT_BACKOFF, TRANSIENT_ERRCODES, type AttemptOutcome, type BackoffPolicy, type RetryContext } from './retry.ts';

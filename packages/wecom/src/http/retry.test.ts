import { describe, expect, it } from 'vitest';
import { backoffDelay, shouldRetry, type AttemptOutcome } from './retry.ts';
import type { RetrySafety } from './types.ts';

const errcode = (code: number): AttemptOutcome => ({ type: 'errcode', errcode: code });
const http = (status: number): AttemptOutcome => ({ type: 'http', status });
const network = (outcomeUnknown: boolean): AttemptOutcome => ({ type: 'network', outcomeUnknown });

describe('shouldRetry', () => {
  it.each<[string, AttemptOutcome, RetrySafety, boolean]>([
    // transient errcodes: WeCom did nothing, whatever the call
    ['-1 system busy', errcode(-1), 'once-only', true],
    ['45009 frequency limit', errcode(45009), 'once-only', true],
    ['45033 concurrency limit', errcode(45033), 'idempotent', true],
    // other errcodes are final (token errors are handled by the refresh path, not here)
    ['40014 invalid token', errcode(40014), 'idempotent', false],
    ['60020 untrusted IP', errcode(60020), 'idempotent', false],
    ['81013 no valid recipient', errcode(81013), 'duplicate-checked', false],
    // HTTP
    ['HTTP 502 on a read', http(502), 'idempotent', true],
    ['HTTP 503 on a duplicate-checked send', http(503), 'duplicate-checked', true],
    ['HTTP 502 on a once-only send (may have been forwarded)', http(502), 'once-only', false],
    ['HTTP 429', http(429), 'once-only', true],
    ['HTTP 404 unknown path', http(404), 'idempotent', false],
    ['HTTP 200 with a body that is not JSON', http(200), 'idempotent', false],
    // network
    ['connection refused, once-only', network(false), 'once-only', true],
    ['timeout after sending, idempotent', network(true), 'idempotent', true],
    ['timeout after sending, duplicate-checked send', network(true), 'duplicate-checked', true],
    ['timeout after sending, once-only send', network(true), 'once-only', false],
  ])('%s → %s', (_name, outcome, retry, expected) => {
    expect(shouldRetry(outcome, { retry, retriesDone: 0, maxRetries: 3 })).toBe(expected);
  });

  it.each([
    [0, 3, true],
    [2, 3, true],
    [3, 3, false],
    [0, 0, false],
  ])('after %i of %i retries → %s', (retriesDone, maxRetries, expected) => {
    expect(shouldRetry(errcode(-1), { retry: 'idempotent', retriesDone, maxRetries })).toBe(expected);
  });
});

describe('backoffDelay (full jitter)', () => {
  it.each([
    [1, 0.999_999, 499],
    [2, 0.999_999, 999],
    [3, 0.999_999, 1_999],
    [4, 0.5, 2_000],
    [5, 0.999_999, 7_999],
    [10, 0.999_999, 7_999], // capped
    [3, 0, 0],
  ])('retry %i with random %f → %i ms', (retryNumber, random, expected) => {
    expect(backoffDelay(retryNumber, () => random)).toBe(expected);
  });

  it('takes a policy', () => {
    expect(backoffDelay(3, () => 0.5, { baseMs: 10, capMs: 1_000 })).toBe(20);
  });
});

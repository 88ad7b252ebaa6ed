import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_CONCURRENCY, workerConcurrency } from './worker.ts';

describe('PAIRVIEW_WORKER_CONCURRENCY', () => {
  it('defaults when unset or empty, and takes a whole number from 1 to 100', () => {
    expect(workerConcurrency({})).toBe(DEFAULT_WORKER_CONCURRENCY);
    expect(workerConcurrency({ PAIRVIEW_WORKER_CONCURRENCY: ' ' })).toBe(DEFAULT_WORKER_CONCURRENCY);
    expect(workerConcurrency({ PAIRVIEW_WORKER_CONCURRENCY: '1' })).toBe(1);
    expect(workerConcurrency({ PAIRVIEW_WORKER_CONCURRENCY: ' 16 ' })).toBe(16);
    expect(workerConcurrency({ PAIRVIEW_WORKER_CONCURRENCY: '100' })).toBe(100);
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const bad of ['0', '-2', '2.5', 'eight', '101', '1e3']) {
      expect(() => workerConcurrency({ PAIRVIEW_WORKER_CONCURRENCY: bad })).toThrow(`PAIRVIEW_WORKER_CONCURRENCY must be a whole number from 1 to 100 (jobs run at once per process), not "${bad}"`);
    }
  });
});

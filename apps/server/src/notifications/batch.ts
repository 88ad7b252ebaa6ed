/**
 * Group commit for the delivery pipeline: many jobs run at once, and each needs the same few statements (take its
 * outbox row, read its recipients, record the result). `batched(run)` gives each caller its own promise, but the
 * calls made while one statement is on its way to PostgreSQL are gathered and sent as the next one — one round
 * trip for all of them. Nothing waits on a timer: a lone call goes at once (on the next microtask), and under
 * load the batches grow by themselves.
 *
 * `run` gets the items in arrival order and answers one result per item, in the same order. When it throws, every
 * caller of that batch gets the error (each job then retries on its own).
 */

export interface BatchedOptions {
  /** Largest batch; more callers wait for the next one. Default 64. */
  max?: number;
}

export type Batched<I, O> = (item: I) => Promise<O>;

export function batched<I, O>(run: (items: I[]) => Promise<readonly O[]>, options: BatchedOptions = {}): Batched<I, O> {
  const max = options.max ?? 64;
  let queue: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  let inFlight = false;

  const flush = async (): Promise<void> => {
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    const batch = queue.slice(0, max);
    queue = queue.slice(max);
    try {
      const results = await run(batch.map((b) => b.item));
      if (results.length !== batch.length) throw new Error(`a batched statement answered ${results.length} results for ${batch.length} items`);
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (error) {
      for (const b of batch) b.reject(error);
    } finally {
      inFlight = false;
      void flush();
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!inFlight) queueMicrotask(() => void flush());
    });
}

// N jobs at once, then a bounded queue (first come, first served). A queued job whose client went away leaves
// the queue without running.

export class QueueFullError extends Error {}
export class SchedulerClosedError extends Error {}

export interface Scheduler {
  /** Resolves with a release function once a slot is free; rejects when aborted, full or closed. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  stats(): { running: number; queued: number; maxConcurrent: number; maxQueued: number };
  close(): void;
}

export function createScheduler(maxConcurrent: number, maxQueued: number): Scheduler {
  let running = 0;
  let closed = false;
  const queue: Array<{ start: () => void; fail: (error: Error) => void }> = [];

  const release = () => {
    running--;
    const next = queue.shift();
    if (next) next.start();
  };
  const makeRelease = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };

  return {
    acquire(signal) {
      if (closed) return Promise.reject(new SchedulerClosedError('the runner is shutting down'));
      if (signal?.aborted) return Promise.reject(new Error('aborted'));
      if (running < maxConcurrent) {
        running++;
        return Promise.resolve(makeRelease());
      }
      if (queue.length >= maxQueued) return Promise.reject(new QueueFullError(`the runner is busy: ${queue.length} jobs are waiting; try again later`));
      return new Promise((resolve, reject) => {
        const entry = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            running++;
            resolve(makeRelease());
          },
          fail: (error: Error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        const onAbort = () => {
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          reject(new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
      });
    },
    stats: () => ({ running, queued: queue.length, maxConcurrent, maxQueued }),
    close() {
      closed = true;
      for (const entry of queue.splice(0)) entry.fail(new SchedulerClosedError('the runner is shutting down'));
    },
  };
}

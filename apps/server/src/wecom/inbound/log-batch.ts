/**
 * The callback route's writer of the callback log: callbacks that arrive together are logged together, in one
 * statement (logInboundCallbacks: one round trip and one commit for the batch instead of a transaction each).
 *
 * A callback waits for no timer: it is written at the end of the event-loop turn it arrived in, together with the
 * others of that turn, unless `maxInFlight` batches are already being written — then it joins the next batch,
 * which starts as soon as one of those commits. So at low traffic a batch is one callback and costs no latency,
 * and under load the batches grow instead of the queue for connections.
 *
 * A callback is acknowledged only after its batch committed. If a batch fails, its callbacks are written again
 * one by one, so a callback PostgreSQL refuses fails alone (its request answers 500 and WeCom retries it, §6.7)
 * instead of taking the others of its batch with it.
 */
import type { Clock } from '../../clock.ts';
import type pg from 'pg';
import { logInboundCallbacks, type InboundCallback, type LoggedCallback } from '../callback-log.ts';

export interface CallbackLogBatchOptions {
  /** Batches being written at once (each holds one pool connection). Default 2. */
  maxInFlight?: number;
  /** Callbacks per statement at most. Default 256. */
  maxBatch?: number;
  /** Called after each statement with its size and duration (the load bench reads it). */
  onBatch?: (callbacks: number, milliseconds: number) => void;
}

interface Waiting {
  callback: InboundCallback;
  resolve(logged: LoggedCallback): void;
  reject(error: unknown): void;
}

export class CallbackLogBatch {
  readonly #pool: pg.Pool;
  readonly #clock: Clock;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  readonly #onBatch: CallbackLogBatchOptions['onBatch'];
  #waiting: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;
  /** Batches written, and callbacks in them: what the tests and the load bench read. */
  readonly stats = { batches: 0, callbacks: 0 };

  constructor(pool: pg.Pool, clock: Clock, options: CallbackLogBatchOptions = {}) {
    this.#pool = pool;
    this.#clock = clock;
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#onBatch = options.onBatch;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer; got ${this.#maxInFlight}`);
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer; got ${this.#maxBatch}`);
  }

  /** Resolves once the callback and its job are committed (or it was a duplicate); rejects if it could not be. */
  log(callback: InboundCallback): Promise<LoggedCallback> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ callback, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // After the I/O callbacks of this turn: the other requests that arrived with this one join its batch.
        setImmediate(() => {
          this.#scheduled = false;
          this.#start();
        });
      }
    });
  }

  #start(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      void this.#write(batch).finally(() => {
        this.#inFlight -= 1;
        this.#start();
      });
    }
  }

  async #write(batch: Waiting[]): Promise<void> {
    this.stats.batches += 1;
    this.stats.callbacks += batch.length;
    try {
      const started = performance.now();
      const results = await logInboundCallbacks(this.#pool, batch.map((w) => w.callback), this.#clock);
      this.#onBatch?.(batch.length, performance.now() - started);
      batch.forEach((waiting, i) => waiting.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Nothing of the batch was written (one statement): each callback gets its own try.
      for (const waiting of batch) {
        try {
          const [result] = await logInboundCallbacks(this.#pool, [waiting.callback], this.#clock);
          waiting.resolve(result!);
        } catch (alone) {
          waiting.reject(alone);
        }
      }
    }
  }
}

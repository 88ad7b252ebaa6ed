/**
 * The emulator's clock. Every expiry and window (tokens, OAuth codes, response_codes, recall window, rate
 * windows, media ids) reads time from here, so tests move time with `advanceClock` instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch, as the emulator sees it. */
  now(): number;
}

export class EmulatorClock implements Clock {
  #offsetMs = 0;
  readonly #base: () => number;

  /** `base` is the underlying time source (default: the machine's clock); tests may inject their own. */
  constructor(base: () => number = Date.now) {
    this.#base = base;
  }

  now(): number {
    return this.#base() + this.#offsetMs;
  }

  /** Unix seconds, the unit WeCom uses in payloads (CreateTime, created_at). */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`advanceClock needs a number of seconds >= 0 (got ${String(seconds)}); the clock only moves forward`);
    }
    this.#offsetMs += seconds * 1000;
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}

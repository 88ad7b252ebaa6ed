/**
 * Where "now" comes from. Everything that decides by time (session and OAuth-state expiry, reminder run-at
 * times, the digest's "today") takes a Clock, so tests move time instead of waiting for it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

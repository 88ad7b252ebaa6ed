/**
 * The arithmetic of a quota window, on plain state (two numbers and, for sliding windows, a ring of slice counts).
 * MemoryQuotaStore runs it as it is; PostgresQuotaStore (postgres-store.ts, PL/pgSQL) and RedisQuotaStore
 * (redis-store.ts, Lua) run the same steps where the state lives, so one round trip both checks and takes. The
 * store contract test (store.contract.ts) holds the three to the same answers.
 *
 * Times are epoch milliseconds. A clock that goes back (another process a little behind) never moves a window
 * back: every window keeps the newest time it has seen (`stamp`), so a skewed clock can only make it stricter.
 */
import type { QuotaPriority, QuotaWindow } from './rules.ts';

/** Slices per sliding window: the count errs on the safe side by at most one slice (0.8% of the window). */
export const SLICES = 120;

/** A window as a store receives it: everything resolved, the reserve already in units for the request's priority. */
export interface ResolvedWindow {
  /** Identifies the window's state within its key: `<kind>:<windowMs>`. */
  id: string;
  kind: 'sliding' | 'smooth' | 'calendar';
  limit: number;
  windowMs: number;
  marginMs: number;
  /** smooth: bucket size. */
  burst: number;
  /** Units this request may not take (held back for higher priorities). */
  reserve: number;
  /** calendar: the day starts at UTC midnight minus this. */
  offsetMs: number;
}

/**
 * A window's state. smooth: `level` tokens at time `stamp`. sliding: `slots` counts per slice, `stamp` the newest
 * slice number. calendar: `level` used in day number `stamp`. New state is all zero, which means "full bucket,
 * empty window" for every kind (a stamp of 0 is long ago).
 */
export interface WindowState {
  level: number;
  stamp: number;
  slots: number[] | null;
  /** Set after WeCom answered 45009: nothing is granted before it. */
  blockedUntil: number;
}

export const emptyState = (): WindowState => ({ level: 0, stamp: 0, slots: null, blockedUntil: 0 });

export function resolveWindow(window: QuotaWindow, priority: QuotaPriority = 'normal'): ResolvedWindow {
  const kind = window.kind ?? 'sliding';
  const burst = kind === 'smooth' ? (window.burst ?? Math.max(1, Math.floor(window.limit / 100))) : 0;
  const share = window.reserve?.[priority] ?? 0;
  return {
    id: `${kind}:${window.windowMs}`,
    kind,
    limit: window.limit,
    windowMs: window.windowMs,
    marginMs: kind === 'calendar' ? 0 : (window.marginMs ?? 1000),
    burst,
    reserve: Math.ceil(share * (kind === 'smooth' ? burst : window.limit)),
    offsetMs: kind === 'calendar' ? (window.utcOffsetMinutes ?? 480) * 60_000 : 0,
  };
}

/** The most units one request could ever get (0: never, because of the reserve). */
export function capacity(w: ResolvedWindow): number {
  return Math.max(0, (w.kind === 'smooth' ? w.burst : w.limit) - w.reserve);
}

const sliceMs = (w: ResolvedWindow) => w.windowMs / SLICES;
/** Slices counted besides the current one: enough to cover windowMs + marginMs from any moment inside a slice. */
const spanSlices = (w: ResolvedWindow) => Math.ceil((w.windowMs + w.marginMs) / sliceMs(w));
const refillPerMs = (w: ResolvedWindow) => (w.limit - w.burst) / (w.windowMs + w.marginMs);

/** Brings the state to `now` (refill, drop old slices, start a new day) and returns what is used or available. */
function advance(w: ResolvedWindow, s: WindowState, now: number): { free: number } {
  switch (w.kind) {
    case 'smooth': {
      const at = Math.max(now, s.stamp);
      s.level = Math.min(w.burst, s.level + (at - s.stamp) * refillPerMs(w));
      s.stamp = at;
      return { free: s.level };
    }
    case 'sliding': {
      const span = spanSlices(w);
      const ring = span + 1;
      const k = Math.max(Math.floor(now / sliceMs(w)), s.stamp);
      if (!s.slots || s.slots.length !== ring || k - s.stamp >= ring) s.slots = new Array<number>(ring).fill(0);
      else for (let j = s.stamp + 1; j <= k; j++) s.slots[j % ring] = 0;
      s.stamp = k;
      let used = 0;
      for (const n of s.slots) used += n;
      return { free: w.limit - used };
    }
    case 'calendar': {
      const day = Math.max(Math.floor((now + w.offsetMs) / w.windowMs), s.stamp);
      if (day !== s.stamp) s.level = 0;
      s.stamp = day;
      return { free: w.limit - s.level };
    }
  }
}

/** Units grantable now (before the reserve is kept back), after advancing the state. */
export function available(w: ResolvedWindow, s: WindowState, now: number): number {
  return Math.floor(advance(w, s, now).free) - w.reserve;
}

/** Takes `units` (already known to be available). */
export function take(w: ResolvedWindow, s: WindowState, units: number): void {
  switch (w.kind) {
    case 'smooth':
      s.level -= units;
      return;
    case 'sliding':
      s.slots![s.stamp % s.slots!.length]! += units;
      return;
    case 'calendar':
      s.level += units;
      return;
  }
}

/** When `units` could be available (the state already advanced to `now`); -1 when never. */
export function availableAt(w: ResolvedWindow, s: WindowState, units: number, now: number): number {
  if (units > capacity(w)) return -1;
  switch (w.kind) {
    case 'smooth': {
      const missing = units + w.reserve - s.level;
      return missing <= 0 ? now : Math.max(now, s.stamp) + Math.ceil(missing / refillPerMs(w));
    }
    case 'sliding': {
      const ring = s.slots!.length;
      let used = 0;
      for (const n of s.slots!) used += n;
      let excess = used + units - (w.limit - w.reserve);
      if (excess <= 0) return now;
      // The oldest slice leaves first: slice j stops counting once the current slice is j + ring.
      for (let j = s.stamp - ring + 1; j <= s.stamp; j++) {
        excess -= s.slots![((j % ring) + ring) % ring]!;
        if (excess <= 0) return Math.ceil((j + ring) * sliceMs(w));
      }
      return -1;
    }
    case 'calendar':
      return s.level + units <= w.limit - w.reserve ? now : (s.stamp + 1) * w.windowMs - w.offsetMs;
  }
}

/** Gives back units taken at `takenAt` and never used (a lease that expired, a send that never left). */
export function release(w: ResolvedWindow, s: WindowState, units: number, takenAt: number, now: number): void {
  advance(w, s, now);
  switch (w.kind) {
    case 'smooth':
      s.level = Math.min(w.burst, s.level + units);
      return;
    case 'sliding': {
      const j = Math.floor(takenAt / sliceMs(w));
      const ring = s.slots!.length;
      if (j > s.stamp - ring && j <= s.stamp) s.slots![j % ring] = Math.max(0, s.slots![j % ring]! - units);
      return;
    }
    case 'calendar':
      if (Math.floor((takenAt + w.offsetMs) / w.windowMs) === s.stamp) s.level = Math.max(0, s.level - units);
      return;
  }
}

/** What a window has left, for health pages: used, limit and (calendar) when it resets. */
export interface WindowUsage {
  id: string;
  kind: ResolvedWindow['kind'];
  limit: number;
  used: number;
  remaining: number;
  /** calendar: the next reset; others: undefined. */
  resetsAt?: number;
  blockedUntil?: number;
}

export function usage(w: ResolvedWindow, s: WindowState, now: number): WindowUsage {
  const { free } = advance(w, s, now);
  const capacityNow = w.kind === 'smooth' ? w.burst : w.limit;
  const remaining = Math.max(0, Math.floor(free));
  return {
    id: w.id,
    kind: w.kind,
    limit: w.limit,
    used: capacityNow - remaining,
    remaining,
    ...(w.kind === 'calendar' && { resetsAt: (s.stamp + 1) * w.windowMs - w.offsetMs }),
    ...(s.blockedUntil > now && { blockedUntil: s.blockedUntil }),
  };
}

/**
 * One store request: between `min` and `max` units of every window of a key, or nothing. Returns what was granted
 * and, when nothing, the earliest time `min` could be (-1: never).
 */
export interface TakeRequest {
  key: string;
  windows: readonly ResolvedWindow[];
  min: number;
  max: number;
}

export interface TakeResult {
  granted: number;
  /** When `granted` is 0: when to ask again (-1: the request can never be granted). */
  retryAt: number;
}

/** The whole take on states already loaded (the memory store; the SQL and Lua versions follow these steps). */
export function takeFrom(request: TakeRequest, states: readonly WindowState[], now: number): TakeResult {
  let grantable = request.max;
  let blockedUntil = 0;
  request.windows.forEach((w, i) => {
    const s = states[i]!;
    grantable = Math.min(grantable, available(w, s, now));
    blockedUntil = Math.max(blockedUntil, s.blockedUntil);
  });
  if (blockedUntil > now) return { granted: 0, retryAt: blockedUntil };
  if (grantable >= request.min) {
    request.windows.forEach((w, i) => take(w, states[i]!, grantable));
    return { granted: grantable, retryAt: now };
  }
  let retryAt = now;
  request.windows.forEach((w, i) => {
    const at = availableAt(w, states[i]!, request.min, now);
    retryAt = at < 0 || retryAt < 0 ? -1 : Math.max(retryAt, at);
  });
  return { granted: 0, retryAt: retryAt === now ? now + 1 : retryAt };
}

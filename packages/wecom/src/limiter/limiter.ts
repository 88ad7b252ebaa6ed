/**
 * QuotaLimiter: WeCom's quotas kept for every process that shares a store (memory: this process; PostgreSQL or
 * Redis: a cluster). What a call costs:
 *
 * - Hot quotas (the per-API one, the caller IP's, the app's daily messages) are taken from the store in lots of
 *   several units at a time (`lease` in the rules), held here for at most `leaseMs`, and handed to sends without a
 *   round trip. A lot not used in time goes back to the store, so another process can have it.
 * - Per-member units are taken as needed, but everything the waiting sends need at one moment goes to the store in
 *   one request: one round trip for many sends (the store runs it as one statement / one script).
 *
 * Waiters are served in priority order (urgent, normal, low, bulk), then first come first served; a waiter's
 * units are kept for it while its other quotas are fetched, so a later, less urgent send cannot take them. A quota
 * that will not be free for a while (a member's minute is full, the day's quota is spent) parks its waiters until
 * the store says it will be, or rejects them with RateLimitWaitError when that is later than they may wait.
 */
import { DEFAULT_QUOTA_RULES, QUOTA_PRIORITIES, checkQuotaRules, ruleFor, type QuotaPriority, type QuotaRule, type QuotaRules } from './rules.ts';
import { MemoryQuotaStore } from './memory-store.ts';
import type { QuotaStore, ReleaseRequest } from './store.ts';
import type { AcquireOptions, QuotaClaim, RateLimiter } from './types.ts';
import { capacity, resolveWindow, type ResolvedWindow, type TakeRequest, type TakeResult, type WindowUsage } from './windows.ts';

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface QuotaScopeIds {
  corpId: string;
  agentId: number | string;
  /**
   * This process's egress IP as WeCom sees it, for the per-IP quota. Default `default`: every process sharing the
   * store is assumed to call from one IP (the safe guess when they sit behind one NAT).
   */
  egress?: string;
}

export interface QuotaLimiterOptions {
  /** Where the quota state lives. Default a MemoryQuotaStore (this process only). */
  store?: QuotaStore;
  /**
   * Quota prefix → rule, over the documented WeCom quotas (DEFAULT_QUOTA_RULES): pass `wecomQuotaRules({ seatLimit })`
   * for the daily message quota, or your own windows for a prefix.
   */
  rules?: QuotaRules;
  /** Whose quotas these are; keys in a shared store are namespaced by it. Default `{ corpId: 'local', agentId: 0 }`. */
  scope?: QuotaScopeIds;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Default the global timers. */
  timers?: Timers;
  /** Reject instead of waiting longer than this (RateLimitWaitError). Default: wait as long as the quota needs. */
  maxWaitMs?: number;
  /**
   * Units taken ahead are used within this or given back (and within half the windows' margin, whichever is
   * shorter: a unit the store counted at one moment must reach WeCom before that margin is spent). Default 500 ms.
   */
  leaseMs?: number;
}

/** Raised when a quota would be free only after the caller's `maxWaitMs` (or never, `retryAt` Infinity). */
export class RateLimitWaitError extends Error {
  readonly quotas: readonly string[];
  readonly waitMs: number;
  /** Epoch milliseconds when the quota is expected to be free: try again then. Infinity: never. */
  readonly retryAt: number;
  /**
   * Set by the request pipeline: the attempt of the call that was to go (1: no attempt of this call reached WeCom,
   * so nothing was sent; more: an earlier attempt may have, and a resend must be the same request).
   */
  attempt?: number;
  constructor(quotas: readonly string[], waitMs: number, maxWaitMs: number, retryAt = Number.POSITIVE_INFINITY, reason?: string) {
    super(
      reason ??
        (Number.isFinite(waitMs)
          ? `quota ${quotas.join(', ')} is used up for ${Math.ceil(waitMs)} ms, longer than maxWaitMs ${maxWaitMs}`
          : `quota ${quotas.join(', ')} can never grant this request`),
    );
    this.name = 'RateLimitWaitError';
    this.quotas = quotas;
    this.waitMs = waitMs;
    this.retryAt = retryAt;
  }
}

interface Claim {
  name: string;
  key: string;
  units: number;
  /** The windows as this waiter's priority sees them (its reserve). */
  windows: readonly ResolvedWindow[];
}

interface Waiter {
  claims: Claim[];
  priority: number;
  seq: number;
  enqueuedAt: number;
  maxWaitMs: number;
  parkedUntil: number;
  /** A quota was short at some point (not just a round trip to the store): what it waited is reported. */
  delayed: boolean;
  resolve(waitedMs: number): void;
  reject(error: unknown): void;
  detach(): void;
}

interface Lot {
  units: number;
  /**
   * The priority of the request the store granted it to: its reserve was checked for that priority, so the lot
   * serves callers as urgent or more (a lot of an urgent request must not let a bulk send past the day's reserve).
   */
  priority: number;
  grantedAt: number;
  expiresAt: number;
}

interface Pool {
  key: string;
  name: string;
  /** The windows with no reserve, for giving units back. */
  windows: readonly ResolvedWindow[];
  lease: number;
  /**
   * How long a lot may be held: the limiter's leaseMs, but never more than half the windows' margin — a unit the
   * store counted when it was granted must reach WeCom before that margin is spent.
   */
  leaseTtl: number;
  lots: Lot[];
  /** Per priority: a store request for it is on its way. */
  inflight: boolean[];
  /**
   * Per priority: the store said nothing before this. A refusal at one priority holds for it and the less urgent
   * ones (they have larger reserves), not for the more urgent.
   */
  notBefore: number[];
  error: unknown;
}

/** Waiters looked at per pass beyond those served (a pass is then O(1) however many wait). */
const MAX_EXAMINED = 256;

const SYSTEM_TIMERS: Timers = { setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

export class QuotaLimiter implements RateLimiter {
  readonly store: QuotaStore;
  readonly #rules: QuotaRules;
  readonly #scope: Required<QuotaScopeIds>;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #maxWaitMs: number;
  readonly #leaseMs: number;
  readonly #pools = new Map<string, Pool>();
  /** The pools holding lots (the only ones a pass looks at for expiry and give-backs). */
  readonly #holding = new Set<Pool>();
  /** Pools whose last store request failed: their waiters get the error. */
  readonly #failed = new Set<Pool>();
  #passes = 0;
  /** Sorted by priority, then arrival. */
  #waiters: Waiter[] = [];
  #seq = 0;
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;
  #queuedTakes: { request: TakeRequest; pool: Pool; priority: number }[] = [];
  #queuedReleases: ReleaseRequest[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(options: QuotaLimiterOptions = {}) {
    this.store = options.store ?? new MemoryQuotaStore();
    // A table of your own overrides the documented one prefix by prefix.
    this.#rules = checkQuotaRules({ ...DEFAULT_QUOTA_RULES, ...options.rules });
    const scope = options.scope ?? { corpId: 'local', agentId: 0 };
    this.#scope = { corpId: scope.corpId, agentId: scope.agentId, egress: scope.egress ?? 'default' };
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? SYSTEM_TIMERS;
    this.#maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.#leaseMs = options.leaseMs ?? 500;
  }

  /** Resolves with the milliseconds waited once the units of every quota are taken; rejects on abort or maxWaitMs. */
  acquire(quotas: readonly (string | QuotaClaim)[], options?: AbortSignal | AcquireOptions): Promise<number> {
    const opts: AcquireOptions = options instanceof AbortSignal ? { signal: options } : (options ?? {});
    const priority = opts.priority ?? 'normal';
    let claims: Claim[];
    try {
      if (!QUOTA_PRIORITIES.includes(priority)) throw new TypeError(`priority must be one of ${QUOTA_PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
      claims = this.#claims(quotas, priority);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new Error('the quota limiter is closed'));
    if (claims.length === 0) return Promise.resolve(0);
    const now = this.#now();
    const maxWaitMs = opts.maxWaitMs ?? this.#maxWaitMs;

    for (const claim of claims) {
      const most = Math.min(...claim.windows.map(capacity));
      if (claim.units > most) {
        return Promise.reject(
          new RateLimitWaitError([claim.name], Number.POSITIVE_INFINITY, maxWaitMs, Number.POSITIVE_INFINITY, `quota ${claim.name} can never grant ${claim.units} units at once: at most ${most} for a ${priority} request`),
        );
      }
    }

    // Fast path: every unit is here already, and nobody who is not asleep waits for one of these quotas.
    const keys = new Set(claims.map((c) => c.key));
    const contended = this.#waiters.some((w) => w.parkedUntil <= now && w.claims.some((c) => keys.has(c.key)));
    const level = QUOTA_PRIORITIES.indexOf(priority);
    if (!contended && claims.every((c) => this.#free(this.#pool(c), now, level) >= c.units)) {
      for (const c of claims) this.#takeLocal(this.#pool(c), c.units, now, level);
      return Promise.resolve(0);
    }

    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal!.reason);
        this.#pump();
      };
      const waiter: Waiter = {
        claims,
        priority: QUOTA_PRIORITIES.indexOf(priority),
        seq: ++this.#seq,
        enqueuedAt: now,
        maxWaitMs,
        parkedUntil: 0,
        delayed: false,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let at = this.#waiters.length;
      while (at > 0 && this.#waiters[at - 1]!.priority > waiter.priority) at--;
      this.#waiters.splice(at, 0, waiter);
      this.#pump();
    });
  }

  async penalize(quotas: readonly string[], ms: number): Promise<void> {
    const now = this.#now();
    await Promise.all(
      quotas.map(async (name) => {
        const { rule } = ruleFor(this.#rules, name);
        if (rule.windows.length === 0) return;
        const pool = this.#pool({ name, key: this.#keyOf(name, rule), units: 0, windows: [] });
        pool.lots = []; // units taken before the block would meet it
        pool.notBefore = pool.notBefore.map((t) => Math.max(t, now + ms));
        await this.store.block(pool.key, pool.windows, now + ms, now);
      }),
    );
    this.#pump();
  }

  /** What a quota has left (its windows, in the rule's order), from the store: for health pages. */
  async usage(quota: string): Promise<WindowUsage[]> {
    const { rule } = ruleFor(this.#rules, quota);
    if (rule.windows.length === 0) return [];
    const windows = rule.windows.map((w) => resolveWindow(w));
    return this.store.peek(this.#keyOf(quota, rule), windows, this.#now());
  }

  /** How many callers are waiting. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Gives back every unit held here and stops; waiting callers are rejected. Does not close the store. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    for (const waiter of this.#waiters.splice(0)) {
      waiter.detach();
      waiter.reject(new Error('the quota limiter was closed'));
    }
    for (const pool of this.#pools.values()) this.#giveBack(pool, pool.lots.splice(0));
    await this.#flushing;
    await this.#flush();
  }

  #claims(quotas: readonly (string | QuotaClaim)[], priority: QuotaPriority): Claim[] {
    if (!Array.isArray(quotas)) throw new TypeError('quotas must be an array of quota names or { quota, units }');
    const byName = new Map<string, Claim>();
    for (const entry of quotas) {
      const name = typeof entry === 'string' ? entry : entry?.quota;
      const units = typeof entry === 'string' ? 1 : (entry?.units ?? 1);
      if (!Number.isInteger(units) || units < 0) throw new TypeError(`quota ${JSON.stringify(name)}: units must be a whole number ≥ 0`);
      const { rule } = ruleFor(this.#rules, name as string);
      if (rule.windows.length === 0 || units === 0) continue;
      const existing = byName.get(name!);
      // A quota named twice in one call counts once (a send naming a member twice reaches them once).
      if (existing) existing.units = Math.max(existing.units, units);
      else byName.set(name!, { name: name!, key: this.#keyOf(name!, rule), units, windows: rule.windows.map((w) => resolveWindow(w, priority)) });
    }
    return [...byName.values()];
  }

  #keyOf(name: string, rule: QuotaRule): string {
    const { corpId, agentId, egress } = this.#scope;
    switch (rule.scope) {
      case 'corp':
        return `${corpId}|${name}`;
      case 'app':
        return `${corpId}/${agentId}|${name}`;
      case 'ip':
        return `@${egress}|${name}`;
      case 'global':
        return name;
    }
  }

  #pool(claim: Claim): Pool {
    let pool = this.#pools.get(claim.key);
    if (!pool) {
      const { rule } = ruleFor(this.#rules, claim.name);
      pool = {
        key: claim.key,
        name: claim.name,
        windows: rule.windows.map((w) => resolveWindow(w)),
        lease: rule.lease ?? 0,
        leaseTtl: Math.min(this.#leaseMs, ...rule.windows.map((w) => resolveWindow(w)).filter((w) => w.marginMs > 0).map((w) => w.marginMs / 2)),
        lots: [],
        inflight: QUOTA_PRIORITIES.map(() => false),
        notBefore: QUOTA_PRIORITIES.map(() => 0),
        error: undefined,
      };
      this.#pools.set(claim.key, pool);
    }
    return pool;
  }

  #free(pool: Pool, now: number, priority: number): number {
    let free = 0;
    for (const lot of pool.lots) if (lot.expiresAt > now && lot.priority >= priority) free += lot.units;
    return free;
  }

  #takeLocal(pool: Pool, units: number, now: number, priority: number): void {
    // Lots are in grant order, so the expired ones are first; they go back to the store unused.
    const expired: Lot[] = [];
    while (pool.lots.length > 0 && pool.lots[0]!.expiresAt <= now) expired.push(pool.lots.shift()!);
    this.#giveBack(pool, expired);
    for (const lot of pool.lots) {
      if (units === 0) break;
      if (lot.priority < priority) continue;
      const used = Math.min(lot.units, units);
      lot.units -= used;
      units -= used;
    }
    pool.lots = pool.lots.filter((lot) => lot.units > 0);
  }

  #giveBack(pool: Pool, lots: readonly Lot[]): void {
    for (const lot of lots) if (lot.units > 0) this.#queuedReleases.push({ key: pool.key, windows: pool.windows, units: lot.units, takenAt: lot.grantedAt });
    if (lots.length > 0) this.#scheduleFlush();
  }

  /** Serves what can be served, asks the store for what is missing, and sleeps until the next thing can change. */
  #pump(): void {
    if (this.#closed) return;
    const now = this.#now();
    let wake = Number.POSITIVE_INFINITY;

    // Lots past their time may not be used (the store counted them then); give them back.
    for (const pool of this.#holding) {
      const expired = pool.lots.filter((lot) => lot.expiresAt <= now);
      if (expired.length > 0) {
        pool.lots = pool.lots.filter((lot) => lot.expiresAt > now);
        this.#giveBack(pool, expired);
      }
      if (pool.lots.length > 0) wake = Math.min(wake, pool.lots[0]!.expiresAt);
      else this.#holding.delete(pool);
    }
    this.#sweep(now);

    // 1. Serve, in priority order, every waiter whose units are all here.
    const earmarked = new Map<string, number>();
    const unserved: Waiter[] = [];
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) {
      // Thousands of queued callers: the first ones decide what to ask for; the rest wait their turn unexamined.
      if (waiter.parkedUntil > now || unserved.length >= MAX_EXAMINED) {
        if (waiter.parkedUntil > now) wake = Math.min(wake, waiter.parkedUntil);
        still.push(waiter);
        continue;
      }
      const pools = waiter.claims.map((c) => this.#pool(c));
      const free = pools.map((pool) => this.#free(pool, now, waiter.priority) - (earmarked.get(pool.key) ?? 0));
      const failed = pools.find((pool, i) => pool.error !== undefined && free[i]! < waiter.claims[i]!.units);
      if (failed) {
        waiter.detach();
        waiter.reject(failed.error);
        continue;
      }
      if (waiter.claims.every((c, i) => free[i]! >= c.units)) {
        waiter.claims.forEach((c, i) => this.#takeLocal(pools[i]!, c.units, now, waiter.priority));
        waiter.detach();
        waiter.resolve(waiter.delayed ? now - waiter.enqueuedAt : 0);
        continue;
      }
      // What is here stays for this waiter while the rest is fetched: a less urgent one may not take it.
      waiter.claims.forEach((c, i) => earmarked.set(pools[i]!.key, (earmarked.get(pools[i]!.key) ?? 0) + Math.min(c.units, Math.max(0, free[i]!))));
      unserved.push(waiter);
      still.push(waiter);
    }
    for (const pool of this.#failed) pool.error = undefined;
    this.#failed.clear();

    // 2. A lot taken for a more urgent send cannot serve the less urgent ones still waiting for that quota: it goes
    //    back, and since the store has those units again, the less urgent need not keep to what it said before.
    const mostUrgent = new Map<string, number>();
    for (const waiter of unserved) for (const c of waiter.claims) if (!mostUrgent.has(c.key) || mostUrgent.get(c.key)! > waiter.priority) mostUrgent.set(c.key, waiter.priority);
    const woken = new Set<Waiter>();
    for (const [key, least] of mostUrgent) {
      const pool = this.#pools.get(key)!;
      const unusable = pool.lots.filter((lot) => lot.priority < least);
      if (unusable.length === 0) continue;
      pool.lots = pool.lots.filter((lot) => !unusable.includes(lot));
      this.#giveBack(pool, unusable);
      const from = Math.min(...unusable.map((lot) => lot.priority)) + 1;
      for (let p = from; p < pool.notBefore.length; p++) pool.notBefore[p] = 0;
      for (const waiter of still) {
        if (waiter.parkedUntil > now && waiter.priority >= from && waiter.claims.some((c) => c.key === key)) {
          waiter.parkedUntil = 0;
          woken.add(waiter);
        }
      }
    }

    // 3. The others: asleep until the store said a quota will have room (or refused now, when that is too late),
    //    or asking the store for what is missing — per quota and priority, each under its own reserve.
    const needs = new Map<string, { pool: Pool; min: number; total: number; windows: readonly ResolvedWindow[]; priority: number }>();
    const waiting: Waiter[] = [];
    const active = new Set<string>();
    for (const waiter of still) {
      if (!unserved.includes(waiter) && !woken.has(waiter)) {
        waiting.push(waiter);
        continue;
      }
      const pools = waiter.claims.map((c) => this.#pool(c));
      const free = pools.map((pool) => this.#free(pool, now, waiter.priority));
      let parkUntil = 0;
      waiter.claims.forEach((c, i) => {
        const notBefore = pools[i]!.notBefore[waiter.priority]!;
        if (free[i]! < c.units && notBefore > now) parkUntil = Math.max(parkUntil, notBefore);
      });
      if (parkUntil > now) {
        if (parkUntil === Number.POSITIVE_INFINITY || parkUntil - waiter.enqueuedAt > waiter.maxWaitMs) {
          waiter.detach();
          // Name the quotas that make it wait, not the ones merely not fetched yet.
          const short = waiter.claims.filter((c, i) => free[i]! < c.units && pools[i]!.notBefore[waiter.priority]! > now).map((c) => c.name);
          waiter.reject(new RateLimitWaitError(short, parkUntil - waiter.enqueuedAt, waiter.maxWaitMs, parkUntil));
          continue;
        }
        waiter.parkedUntil = parkUntil;
        waiter.delayed = true;
        wake = Math.min(wake, parkUntil);
        waiting.push(waiter);
        continue;
      }
      waiter.claims.forEach((c, i) => {
        const pool = pools[i]!;
        active.add(pool.key);
        const short = c.units - Math.max(0, free[i]!);
        if (short <= 0) return;
        const id = `${pool.key}#${waiter.priority}`;
        const need = needs.get(id);
        if (need) need.total += short;
        else needs.set(id, { pool, min: short, total: short, windows: c.windows, priority: waiter.priority });
      });
      waiting.push(waiter);
    }
    this.#waiters = waiting;

    // 4. A per-member unit nobody awake waits for goes back at once: it is that member's, not this process's (a hot
    //    quota's lot stays for the next sends until its lease ends).
    for (const pool of this.#holding) {
      if (pool.lease === 0 && pool.lots.length > 0 && !active.has(pool.key)) this.#giveBack(pool, pool.lots.splice(0));
      if (pool.lots.length === 0) this.#holding.delete(pool);
    }

    for (const need of needs.values()) {
      const { pool } = need;
      if (pool.inflight[need.priority]) continue;
      // A hot quota is fetched in lots: wait for a few units rather than make a round trip per unit.
      const min = Math.max(need.min, Math.min(need.total, Math.ceil(pool.lease / 2)));
      const most = Math.min(...need.windows.map(capacity));
      pool.inflight[need.priority] = true;
      this.#queuedTakes.push({
        pool,
        priority: need.priority,
        request: { key: pool.key, windows: need.windows, min: Math.min(min, most), max: Math.min(need.total + pool.lease, most) },
      });
    }
    this.#scheduleFlush();
    this.#sleepUntil(wake);
  }

  /** Now and then, forgets the pools of quotas nobody used lately (members not messaged), so memory stays flat. */
  #sweep(now: number): void {
    if (++this.#passes % 4096 !== 0 || this.#pools.size < 4096) return;
    const waitedFor = new Set(this.#waiters.flatMap((w) => w.claims.map((c) => c.key)));
    for (const pool of this.#pools.values()) {
      if (pool.lots.length === 0 && !pool.inflight.includes(true) && pool.notBefore.every((t) => t <= now) && !waitedFor.has(pool.key)) this.#pools.delete(pool.key);
    }
  }

  #sleepUntil(at: number): void {
    if (at === this.#timerAt) return;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (!Number.isFinite(at)) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      for (const waiter of this.#waiters) if (waiter.parkedUntil <= this.#now()) waiter.parkedUntil = 0;
      this.#pump();
    }, Math.max(1, Math.ceil(at - this.#now())));
  }

  /** One store round trip at a time; what is asked meanwhile goes in the next one (group commit). */
  #scheduleFlush(): void {
    if (this.#flushing || (this.#queuedTakes.length === 0 && this.#queuedReleases.length === 0)) return;
    this.#flushing = Promise.resolve()
      .then(() => this.#flush())
      .finally(() => {
        this.#flushing = undefined;
        this.#scheduleFlush();
      });
  }

  async #flush(): Promise<void> {
    const takes = this.#queuedTakes.splice(0);
    const releases = this.#queuedReleases.splice(0);
    const now = this.#now();
    if (takes.length === 0) {
      if (releases.length > 0) await this.store.release(releases, now).catch(() => undefined); // lost units only cost capacity
      return;
    }
    let results: TakeResult[];
    try {
      // Units given back go first, in the same round trip: the takes may need them.
      results = await this.store.take(
        takes.map((t) => t.request),
        now,
        releases,
      );
    } catch (error) {
      for (const { pool, priority } of takes) {
        pool.inflight[priority] = false;
        pool.error = error;
        this.#failed.add(pool);
      }
      this.#pump();
      return;
    }
    const answeredAt = this.#now();
    takes.forEach(({ pool, priority }, i) => {
      const result = results[i]!;
      pool.inflight[priority] = false;
      if (result.granted > 0) {
        // The store counted them at `now`; they must reach WeCom within the margin from then.
        pool.lots.push({ units: result.granted, priority, grantedAt: now, expiresAt: now + pool.leaseTtl });
        this.#holding.add(pool);
        for (let p = 0; p <= priority; p++) pool.notBefore[p] = 0;
      } else {
        if (result.retryAt < 0) {
          pool.error = new RateLimitWaitError([pool.name], Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY, `quota ${pool.name} can never grant ${takes[i]!.request.min} units`);
          this.#failed.add(pool);
        }
        else for (let p = priority; p < pool.notBefore.length; p++) pool.notBefore[p] = Math.max(pool.notBefore[p]!, result.retryAt, answeredAt + 1);
      }
    });
    if (this.#closed) {
      for (const { pool } of takes) this.#giveBack(pool, pool.lots.splice(0));
      return;
    }
    this.#pump();
  }
}

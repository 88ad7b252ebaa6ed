/**
 * The documented quotas (wecom-protocol.md §5), keyed by the prefix of a quota name (`api:/cgi-bin/message/send`
 * → `api`). Each rule says whose quota it is (scope: per corp, per app, per caller IP, or global) and which windows
 * it has. Pass your own table to a limiter to change them (e.g. an older corp on 2,000/min).
 *
 * Window kinds — how a window is kept so that WeCom never sees more than `limit` in it, however WeCom counts:
 * - `sliding` (default): never more than `limit` in ANY span of `windowMs + marginMs`, counted in 120 slices per
 *   window (conservative by at most one slice). The right kind when bursts are fine: 30 messages to a member at
 *   once, then the 31st waits for the first to leave the window.
 * - `smooth`: a token bucket of `burst` units refilled at `(limit − burst) / (windowMs + marginMs)`: any span of
 *   `windowMs + marginMs` sees at most `limit`, and a long burst runs at an even pace just under the quota instead
 *   of spending a minute's quota in seconds and then stalling. Used for the per-API minute quota.
 * - `calendar`: at most `limit` per natural day (WeCom's day is Beijing time, UTC+8), reset at midnight; WeCom
 *   blocks "until the end of the natural day" beyond it (§5).
 *
 * The margin (1 s) covers the time between the limiter granting a unit and WeCom counting the request on arrival,
 * so a window never frees on our side before it frees on WeCom's.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Who waits first when a quota is short: urgent before normal, before low, before bulk. */
export type QuotaPriority = 'urgent' | 'normal' | 'low' | 'bulk';
export const QUOTA_PRIORITIES: readonly QuotaPriority[] = ['urgent', 'normal', 'low', 'bulk'];

export type QuotaScope = 'corp' | 'app' | 'ip' | 'global';

export interface QuotaWindow {
  /** How many units per window. */
  limit: number;
  /** Window length in milliseconds (a calendar window: the length of its day, 86,400,000). */
  windowMs: number;
  /** Default `sliding`. */
  kind?: 'sliding' | 'smooth' | 'calendar';
  /** `smooth` only: the bucket's size, the most units granted at once. Default 1% of the limit. */
  burst?: number;
  /** Slack added to the window (see above). Default 1,000 ms; `calendar` windows have none. */
  marginMs?: number;
  /**
   * Units held back from lower priorities, as a share of the limit (of `burst` for a smooth window): with
   * `{ bulk: 0.2 }` a bulk send may not take the last 20% of the day, which stays for the others.
   */
  reserve?: Partial<Record<QuotaPriority, number>>;
  /** `calendar` only: the UTC offset of the day's zone in minutes. Default +480 (Beijing). */
  utcOffsetMinutes?: number;
}

export interface QuotaRule {
  /** Whose quota: `corp` (per corp, shared by its apps), `app` (per corp and app), `ip` (per caller IP), `global`. */
  scope: QuotaScope;
  /** No windows: not limited (e.g. the daily message quota when the seat limit is unknown). */
  windows: readonly QuotaWindow[];
  /**
   * A quota many sends share (the per-API one): a process takes up to this many units ahead from the shared store,
   * so one round trip serves several sends. 0 (default): take exactly what each send needs.
   */
  lease?: number;
}

/** Quota prefix → rule, or just its windows (scope `app`, except `api`: corp, `ip`: ip, `robot`: global). */
export type QuotaRules = Readonly<Record<string, QuotaRule | readonly QuotaWindow[]>>;

export interface WeComQuotaOptions {
  /**
   * The corp's seat limit (人数上限): app messages are limited to seat limit × 200 person-times a day (§5). Unknown:
   * the daily quota is not enforced.
   */
  seatLimit?: number;
  /** Multiplies every window (tests run "a minute" in a second). Default 1. */
  timeScale?: number;
}

/** §5: app messages per app per day, seat limit × 200 person-times (1 call to 1,000 members counts 1,000). */
export const PERSON_TIMES_PER_SEAT = 200;

/**
 * WeCom's documented quotas (§5, §9, §10) as a rules table. The priorities' reserves are Pairview's choice: bulk
 * sends (a digest) stop at the last 20% of the daily quota and low ones (chasers) at the last 10%, so reminders and
 * answers still go out late in a busy day; on the per-API bucket they wait while more urgent sends use it up.
 */
export function wecomQuotaRules(options: WeComQuotaOptions = {}): QuotaRules {
  const scale = options.timeScale ?? 1;
  if (!(scale > 0)) throw new TypeError(`timeScale must be a number > 0 (got ${String(options.timeScale)})`);
  const w = (window: QuotaWindow): QuotaWindow => ({
    ...window,
    windowMs: window.windowMs * scale,
    ...(window.kind !== 'calendar' && { marginMs: Math.max(1, Math.round((window.marginMs ?? 1000) * scale)) }),
  });
  const rateReserve = { low: 0.25, bulk: 0.5 };
  const seatLimit = options.seatLimit;
  if (seatLimit !== undefined && (!Number.isInteger(seatLimit) || seatLimit < 1)) {
    throw new TypeError(`seatLimit must be a whole number ≥ 1 (the corp's 人数上限), got ${String(seatLimit)}`);
  }
  return Object.freeze({
    /** Per corp, per API: 10,000/min and 150,000/h (D-90454 rev. 2023/08/28); 45009 and a 60 s / 60 min block beyond. */
    api: {
      scope: 'corp',
      lease: 16,
      windows: [w({ limit: 10_000, windowMs: MINUTE, kind: 'smooth', burst: 100, reserve: rateReserve }), w({ limit: 150_000, windowMs: HOUR })],
    },
    /** Per caller IP, per API: 20,000/min and 600,000/h (§5); counts every corp called from this IP. */
    ip: {
      scope: 'ip',
      lease: 16,
      windows: [w({ limit: 20_000, windowMs: MINUTE, kind: 'smooth', burst: 200, reserve: rateReserve }), w({ limit: 600_000, windowMs: HOUR })],
    },
    /**
     * Per app, per member, message/send: 30/min and 1,000/h (§3.1, §5). WeCom answers errcode 0 and drops the
     * excess silently, so waiting is the only way not to lose messages.
     */
    member: { scope: 'app', windows: [w({ limit: 30, windowMs: MINUTE }), w({ limit: 1_000, windowMs: HOUR })] },
    /** Per app, message/send person-times per natural day: seat limit × 200 (§5; 45009 assumed beyond, §12.6). */
    day: {
      scope: 'app',
      // No lease: every send's person-times are counted where its member's are (the same round trip), so the
      // reserves of the day hold to the unit.
      windows:
        seatLimit === undefined ? [] : [w({ limit: seatLimit * PERSON_TIMES_PER_SEAT, windowMs: DAY, kind: 'calendar', reserve: { low: 0.1, bulk: 0.2 } })],
    },
    /** Per group robot (webhook key): 20 messages/min (§9.2); 45009 beyond. */
    robot: { scope: 'global', windows: [w({ limit: 20, windowMs: MINUTE })] },
    /** jsapi tickets, both kinds together: 400/h per corp (§10). */
    'corp-ticket': { scope: 'corp', windows: [w({ limit: 400, windowMs: HOUR })] },
    /** The app's agent_config ticket: 100/h per app (§10). */
    'app-ticket': { scope: 'app', windows: [w({ limit: 100, windowMs: HOUR })] },
    /**
     * appchat/send person-times per corp: 20,000/min and 300,000/h (a message to a group of 100 counts 100). The
     * bucket holds a whole group of 2,000, the largest there is.
     */
    'chat-send': {
      scope: 'corp',
      windows: [w({ limit: 20_000, windowMs: MINUTE, kind: 'smooth', burst: 2_000 }), w({ limit: 300_000, windowMs: HOUR })],
    },
    /** appchat/create: 1,000 a day per corp (all apps). */
    'chat-create': { scope: 'corp', windows: [w({ limit: 1_000, windowMs: DAY, kind: 'calendar' })] },
    /** appchat/update: 1,000 an hour per corp. */
    'chat-update': { scope: 'corp', windows: [w({ limit: 1_000, windowMs: HOUR })] },
  } satisfies Record<string, QuotaRule>);
}

/** The documented quotas without a seat limit (the daily message quota is then not enforced). */
export const DEFAULT_QUOTA_RULES: QuotaRules = wecomQuotaRules();

const DEFAULT_SCOPES: Record<string, QuotaScope> = { api: 'corp', ip: 'ip', robot: 'global', 'corp-ticket': 'corp', 'chat-send': 'corp', 'chat-create': 'corp', 'chat-update': 'corp' };

/** A quota name's rule, or a TypeError naming the known prefixes. */
export function ruleFor(rules: QuotaRules, quota: string): { prefix: string; rule: QuotaRule } {
  const colon = typeof quota === 'string' ? quota.indexOf(':') : -1;
  const prefix = colon > 0 ? quota.slice(0, colon) : '';
  if (colon > 0 && colon < quota.length - 1 && Object.hasOwn(rules, prefix)) {
    const entry = rules[prefix]!;
    const rule: QuotaRule = Array.isArray(entry) ? { scope: DEFAULT_SCOPES[prefix] ?? 'app', windows: entry } : (entry as QuotaRule);
    return { prefix, rule };
  }
  throw new TypeError(
    `unknown quota ${JSON.stringify(quota)}: quota names are <prefix>:<id> with prefix one of ${Object.keys(rules).join(', ')}`,
  );
}

/** The windows of a quota name (kept for callers of the earlier API). */
export function windowsFor(rules: QuotaRules, quota: string): readonly QuotaWindow[] {
  return ruleFor(rules, quota).rule.windows;
}

/** Checks a rules table: every window a positive integer limit over a positive length, a valid kind and burst. */
export function checkQuotaRules(rules: QuotaRules): QuotaRules {
  for (const [prefix, entry] of Object.entries(rules)) {
    if (!/^[a-z][a-z0-9_-]*$/.test(prefix)) throw new TypeError(`quota prefix ${JSON.stringify(prefix)} must be lower-case letters, digits, "-" or "_"`);
    const windows = Array.isArray(entry) ? entry : (entry as QuotaRule)?.windows;
    if (!Array.isArray(windows)) throw new TypeError(`quota "${prefix}" needs a windows list`);
    if (Array.isArray(entry) && windows.length === 0) throw new TypeError(`quota "${prefix}" needs at least one window`);
    if (!Array.isArray(entry)) {
      const { scope, lease } = entry as QuotaRule;
      if (!['corp', 'app', 'ip', 'global'].includes(scope)) throw new TypeError(`quota "${prefix}": scope must be corp, app, ip or global`);
      if (lease !== undefined && (!Number.isInteger(lease) || lease < 0)) throw new TypeError(`quota "${prefix}": lease must be a whole number ≥ 0`);
    }
    for (const w of windows as readonly QuotaWindow[]) {
      if (!Number.isInteger(w.limit) || w.limit < 1 || !(w.windowMs > 0)) {
        throw new TypeError(`quota "${prefix}": each window needs an integer limit ≥ 1 and windowMs > 0`);
      }
      if (w.kind !== undefined && !['sliding', 'smooth', 'calendar'].includes(w.kind)) throw new TypeError(`quota "${prefix}": kind must be sliding, smooth or calendar`);
      if (w.kind === 'smooth' && w.burst !== undefined && (!Number.isInteger(w.burst) || w.burst < 1 || w.burst >= w.limit)) {
        throw new TypeError(`quota "${prefix}": burst must be a whole number from 1 to limit − 1`);
      }
      for (const [priority, share] of Object.entries(w.reserve ?? {})) {
        if (!QUOTA_PRIORITIES.includes(priority as QuotaPriority) || !(share >= 0 && share < 1)) {
          throw new TypeError(`quota "${prefix}": reserve maps ${QUOTA_PRIORITIES.join('/')} to a share from 0 to below 1`);
        }
      }
    }
  }
  return rules;
}

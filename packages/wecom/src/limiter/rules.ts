/**
 * The documented quotas (wecom-protocol.md §5), keyed by the prefix of a quota name (`api:/cgi-bin/message/send`
 * → `api`). Pass your own table to a limiter to change them (e.g. an older corp on 2,000/min).
 */
import type { QuotaWindow } from './types.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

export type QuotaRules = Readonly<Record<string, readonly QuotaWindow[]>>;

export const DEFAULT_QUOTA_RULES: QuotaRules = Object.freeze({
  /** Per corp, per API: 10,000/min and 150,000/h (§5, D-90454 rev. 2023/08/28); 45009 beyond. */
  api: [
    { limit: 10_000, windowMs: MINUTE },
    { limit: 150_000, windowMs: HOUR },
  ],
  /**
   * Per app, per member, message/send: 30/min and 1,000/h (§3.1, §5). WeCom answers errcode 0 and drops the
   * excess silently, so waiting is the only way not to lose messages.
   */
  member: [
    { limit: 30, windowMs: MINUTE },
    { limit: 1_000, windowMs: HOUR },
  ],
  /** Per group robot (webhook key): 20 messages/min (§9.2); 45009 beyond. */
  robot: [{ limit: 20, windowMs: MINUTE }],
});

/** The windows for a quota name, or a TypeError naming the known prefixes. */
export function windowsFor(rules: QuotaRules, quota: string): readonly QuotaWindow[] {
  const colon = typeof quota === 'string' ? quota.indexOf(':') : -1;
  const prefix = colon > 0 ? quota.slice(0, colon) : '';
  if (colon > 0 && colon < quota.length - 1 && Object.hasOwn(rules, prefix)) return rules[prefix]!;
  throw new TypeError(
    `unknown quota ${JSON.stringify(quota)}: quota names are <prefix>:<id> with prefix one of ${Object.keys(rules).join(', ')}`,
  );
}

/** Checks a rules table: every window a positive integer limit over a positive length. */
export function checkQuotaRules(rules: QuotaRules): QuotaRules {
  for (const [prefix, windows] of Object.entries(rules)) {
    if (!/^[a-z][a-z0-9_-]*$/.test(prefix)) throw new TypeError(`quota prefix ${JSON.stringify(prefix)} must be lower-case letters, digits, "-" or "_"`);
    if (!Array.isArray(windows) || windows.length === 0) throw new TypeError(`quota "${prefix}" needs at least one window`);
    for (const w of windows) {
      if (!Number.isInteger(w.limit) || w.limit < 1 || !(w.windowMs > 0)) {
        throw new TypeError(`quota "${prefix}": each window needs an integer limit ≥ 1 and windowMs > 0`);
      }
    }
  }
  return rules;
}

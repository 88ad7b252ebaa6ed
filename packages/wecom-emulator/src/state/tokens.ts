/**
 * Access tokens (wecom-protocol.md §2, §11). One token per credential (an app's secret or the contact-sync
 * secret): gettoken returns the same string while it is valid and a new one after it expires. Calls with a
 * valid token do not extend its life. Revoked tokens stay known so they answer 40014, not "unknown".
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

export interface IssuedToken {
  readonly token: string;
  /** `app` tokens act for `agentId`; `contact-sync` tokens have no app. */
  readonly kind: 'app' | 'contact-sync';
  readonly agentId: number | null;
  readonly issuedAt: number;
  readonly expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  | { ok: true; token: IssuedToken }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

export class TokenStore {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #byToken = new Map<string, IssuedToken>();
  /** The current token of each credential (`app:<agentid>` or `contact-sync`). */
  readonly #current = new Map<string, IssuedToken>();

  constructor(clock: Clock, ttlSeconds: number) {
    this.#clock = clock;
    this.#ttlMs = ttlSeconds * 1000;
  }

  /** The credential's token while valid, else a new one (§2 "有效期内重复获取返回相同结果"). */
  issue(kind: IssuedToken['kind'], agentId: number | null): IssuedToken {
    const key = kind === 'app' ? `app:${agentId}` : 'contact-sync';
    const now = this.#clock.now();
    const current = this.#current.get(key);
    if (current && !current.revoked && current.expiresAt > now) return current;
    // ≤512 bytes in WeCom (§2); 96 URL-safe characters here.
    const issued: IssuedToken = { token: randomBytes(72).toString('base64url'), kind, agentId, issuedAt: now, expiresAt: now + this.#ttlMs, revoked: false };
    this.#byToken.set(issued.token, issued);
    this.#current.set(key, issued);
    return issued;
  }

  check(token: string): TokenCheck {
    const issued = this.#byToken.get(token);
    if (!issued) return { ok: false, reason: 'unknown' };
    if (issued.revoked) return { ok: false, reason: 'revoked' };
    if (issued.expiresAt <= this.#clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, token: issued };
  }

  /** Every issued token now answers 40014 (WeCom "may invalidate a token early", §2). */
  revokeAll(): void {
    for (const issued of this.#byToken.values()) issued.revoked = true;
  }

  clear(): void {
    this.#byToken.clear();
    this.#current.clear();
  }
}

/**
 * OAuth codes and user tickets (wecom-protocol.md §7): a code is single use, valid 5 minutes, and bound to the
 * app it was issued for; a user_ticket (snsapi_privateinfo) is valid 1800 s.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

export const OAUTH_CODE_TTL_MS = 5 * 60_000;
export const USER_TICKET_TTL_SECONDS = 1800;

export type OAuthScope = 'snsapi_base' | 'snsapi_privateinfo' | 'snsapi_userinfo';

export interface OAuthCode {
  code: string;
  userid: string;
  /** The app the code was issued for; null when the authorize URL named no agentid (any app may exchange it). */
  agentId: number | null;
  scope: OAuthScope;
  issuedAt: number;
  used: boolean;
}

export interface UserTicket {
  ticket: string;
  userid: string;
  agentId: number | null;
  expiresAt: number;
}

export class OAuthStore {
  readonly #clock: Clock;
  readonly #codes = new Map<string, OAuthCode>();
  readonly #tickets = new Map<string, UserTicket>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  issueCode(userid: string, options: { agentId?: number | null; scope?: OAuthScope } = {}): OAuthCode {
    const record: OAuthCode = {
      code: randomBytes(32).toString('base64url'),
      userid,
      agentId: options.agentId ?? null,
      scope: options.scope ?? 'snsapi_base',
      issuedAt: this.#clock.now(),
      used: false,
    };
    this.#codes.set(record.code, record);
    return record;
  }

  /** Uses a code once for the app `agentId`; undefined means 40029 (unknown, used, expired or another app's). */
  takeCode(code: string, agentId: number | null): OAuthCode | undefined {
    const record = this.#codes.get(code);
    if (!record || record.used || record.issuedAt + OAUTH_CODE_TTL_MS <= this.#clock.now()) return undefined;
    if (record.agentId !== null && record.agentId !== agentId) return undefined;
    record.used = true;
    return record;
  }

  issueUserTicket(userid: string, agentId: number | null): UserTicket {
    const ticket: UserTicket = { ticket: randomBytes(48).toString('base64url'), userid, agentId, expiresAt: this.#clock.now() + USER_TICKET_TTL_SECONDS * 1000 };
    this.#tickets.set(ticket.ticket, ticket);
    return ticket;
  }

  userTicket(ticket: string): UserTicket | undefined {
    const record = this.#tickets.get(ticket);
    return record && record.expiresAt > this.#clock.now() ? record : undefined;
  }

  clear(): void {
    this.#codes.clear();
    this.#tickets.clear();
  }
}

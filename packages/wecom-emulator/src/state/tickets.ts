/**
 * JS-SDK tickets (wecom-protocol.md §10): the corp jsapi_ticket and each app's agent_config ticket. Like
 * tokens, the same ticket comes back while valid (7200 s).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

export const TICKET_TTL_SECONDS = 7200;

export interface IssuedTicket {
  ticket: string;
  kind: 'jsapi' | 'agent_config';
  agentId: number | null;
  expiresAt: number;
}

export class TicketStore {
  readonly #clock: Clock;
  readonly #current = new Map<string, IssuedTicket>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  issue(kind: IssuedTicket['kind'], agentId: number | null): IssuedTicket {
    const key = kind === 'jsapi' ? 'jsapi' : `agent_config:${agentId}`;
    const current = this.#current.get(key);
    const now = this.#clock.now();
    if (current && current.expiresAt > now) return current;
    const ticket: IssuedTicket = { ticket: randomBytes(64).toString('base64url'), kind, agentId, expiresAt: now + TICKET_TTL_SECONDS * 1000 };
    this.#current.set(key, ticket);
    return ticket;
  }

  /** The valid ticket of that kind, for tests that check a JS-SDK signature. */
  current(kind: IssuedTicket['kind'], agentId: number | null = null): IssuedTicket | undefined {
    const ticket = this.#current.get(kind === 'jsapi' ? 'jsapi' : `agent_config:${agentId}`);
    return ticket && ticket.expiresAt > this.#clock.now() ? ticket : undefined;
  }

  clear(): void {
    this.#current.clear();
  }
}

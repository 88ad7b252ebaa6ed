/**
 * Dedupe (wecom-protocol.md §6.7): WeCom retries a callback it got no 200 for within 5 s, 3 times in total, so a
 * receiver sees the same message again. A DedupeStore remembers which callbacks were taken; the in-memory store
 * serves one process, a shared one (e.g. PostgreSQL) a cluster. Every store passes the same contract
 * (`dedupeStoreContract` in @pairview/wecom/testing).
 */
import type { CallbackEvent } from './events.ts';
import { textOf } from './xml.ts';

export interface DedupeClaim {
  key: string;
  /** Epoch milliseconds: the receiver's clock, so stores need none and tests can fake time. */
  now: number;
  /** Epoch milliseconds after which the key may be taken again. */
  expiresAt: number;
}

export interface DedupeStore {
  /**
   * Takes `key` until `expiresAt` and returns true, or returns false when it is already taken and not expired at
   * `now`. Must be atomic: of concurrent claims of one key, exactly one gets true.
   */
  claim(claim: DedupeClaim): Promise<boolean>;
  /**
   * Gives a claimed key back, so WeCom's retry of a callback that could not be taken in (its handler failed
   * before the answer) is handled instead of dropped. Optional: without it the retry waits for the hold to expire.
   */
  release?(key: string): Promise<void>;
  close?(): Promise<void>;
}

export interface MemoryDedupeStoreOptions {
  /** Oldest keys are dropped beyond this many (a bound on memory under a flood). Default 100,000. */
  maxEntries?: number;
}

/** One process's dedupe: a Map of key → expiry, swept as it grows. */
export class MemoryDedupeStore implements DedupeStore {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(options: MemoryDedupeStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  async claim({ key, now, expiresAt }: DedupeClaim): Promise<boolean> {
    const held = this.#entries.get(key);
    if (held !== undefined && held > now) return false;
    this.#entries.delete(key); // re-insert so Map order stays oldest-first
    this.#entries.set(key, expiresAt);
    if (this.#entries.size > this.#maxEntries) this.#sweep(now);
    return true;
  }

  async release(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #sweep(now: number): void {
    for (const [key, expiresAt] of this.#entries) if (expiresAt <= now) this.#entries.delete(key);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}

/**
 * The dedupe key of a callback. Messages carry a MsgId (64-bit, unique per corp): that is the key. Events have
 * none; WeCom's advice is FromUserName + CreateTime (§6.7), but CreateTime has one-second resolution, so two
 * different clicks by one member in the same second, or a bulk contact import (FromUserName is always `sys`)
 * would collapse into one and the second would be dropped. So the key adds what tells events apart — Event,
 * EventKey, TaskId, ChangeType and the changed user/party/tag id — all of which a retry repeats unchanged.
 * Keys are scoped by CorpID and AgentID so one store can serve several apps.
 */
export function dedupeKeyFor(event: CallbackEvent): string {
  const raw = event.raw;
  const part = (tag: string): string => encodeURIComponent(textOf(raw[tag]) ?? '');
  const scope = `wecom:${part('ToUserName')}:${part('AgentID') || '-'}`;
  const msgId = textOf(raw.MsgId);
  if (msgId) return `${scope}:msg:${encodeURIComponent(msgId)}`;
  const identity = ['FromUserName', 'CreateTime', 'MsgType', 'Event', 'EventKey', 'TaskId', 'ChangeType', 'UserID', 'Id', 'TagId'].map(part);
  return `${scope}:event:${identity.join(':')}`;
}

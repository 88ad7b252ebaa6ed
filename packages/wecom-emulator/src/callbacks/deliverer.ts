/**
 * WeCom's side of the callbacks (wecom-protocol.md §6): URL verification (§6.2), encrypted POSTs signed with the
 * app's token (§6.3–6.5), a 5 s deadline and 3 attempts in total on a non-200 or a timeout (§6.7), and the
 * passive reply read back from the response (§6.6). Every verification and delivery is kept as a record for the
 * control API and the console's log; records never contain the token or the EncodingAESKey.
 */
import { randomBytes } from 'node:crypto';
import { serializeCallbackXml, type CallbackEventInput } from '@pairview/wecom/callback';
import { signCallback, signUrlVerification } from '@pairview/wecom/testing';
import type { Clock } from '../state/clock.ts';
import { CallbackNotConfiguredError } from '../state/callback-errors.ts';
import { eventLabel, memberOf } from './events.ts';
import { PassiveReplyError, readPassiveReply, type PassiveReply } from './passive-reply.ts';
import { DEFAULT_DELIVERY_TIMING, type CallbackSettings, type DeliveryTiming } from './settings.ts';

export interface DeliveryAttempt {
  /** 1-based. */
  attempt: number;
  /** Emulator clock, ms. */
  at: number;
  /** Wall-clock time the app took, ms. */
  durationMs: number;
  /** 'ok' = HTTP 200; 'http' = another status; 'timeout' = no answer in time; 'network' = no connection. */
  outcome: 'ok' | 'http' | 'timeout' | 'network';
  httpStatus?: number;
  error?: string;
}

export interface CallbackDelivery {
  kind: 'delivery';
  id: number;
  /** e.g. "text", "template_card_event", "change_contact/create_user". */
  label: string;
  /** The member the event is about; "sys" for contact sync. */
  userid: string;
  event: CallbackEventInput;
  /** The plaintext XML that was encrypted and posted. */
  xml: string;
  /** 'delivered': the app answered 200 with nothing or a valid reply; 'failed': no 200 after every attempt, or a reply WeCom would reject. */
  status: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  /** The decrypted passive reply, when the app sent one. */
  reply?: PassiveReply;
  replyXml?: string;
  /** What the reply changed in the member's inbox, e.g. "message 3 added", "card task-1 updated". */
  applied?: string;
  error?: string;
  startedAt: number;
  finishedAt?: number;
}

export interface UrlVerification {
  kind: 'verification';
  id: number;
  url: string;
  status: 'pending' | 'passed' | 'failed';
  httpStatus?: number;
  durationMs?: number;
  error?: string;
  startedAt: number;
  finishedAt?: number;
}

export type CallbackRecord = CallbackDelivery | UrlVerification;

/**
 * Applies a verified passive reply to the member's inbox and says what it changed. Throws PassiveReplyError when
 * WeCom would reject the reply (an update_button for an event that has no card, a reply to another member).
 */
export type ApplyReply = (reply: PassiveReply, context: { toUser: string; event: CallbackEventInput }) => string | Promise<string>;

export interface CallbackDelivererOptions {
  corpId: string;
  /** Read on every delivery, so a reconfigured or removed callback URL takes effect at once. */
  settings: () => CallbackSettings | undefined;
  clock: Clock;
  timing?: Partial<DeliveryTiming>;
  applyReply?: ApplyReply;
  /** Oldest records are forgotten beyond this many. */
  maxRecords?: number;
}

export class CallbackDeliverer {
  readonly #options: CallbackDelivererOptions;
  readonly #timing: DeliveryTiming;
  #records: CallbackRecord[] = [];
  #nextId = 1;
  readonly #listeners = new Set<(record: CallbackRecord) => void>();

  constructor(options: CallbackDelivererOptions) {
    this.#options = options;
    this.#timing = { ...DEFAULT_DELIVERY_TIMING, ...options.timing };
  }

  get timing(): Readonly<DeliveryTiming> {
    return this.#timing;
  }

  get configured(): boolean {
    return this.#options.settings() !== undefined;
  }

  /** Called with a record each time it is created or changes (the console refreshes its log). */
  subscribe(listener: (record: CallbackRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Newest last; copies, so callers cannot change the log. */
  records(filter: { userid?: string; since?: number } = {}): CallbackRecord[] {
    const userid = filter.userid?.toLowerCase();
    return this.#records
      .filter((r) => (filter.since === undefined || r.id > filter.since) && (userid === undefined || (r.kind === 'delivery' && r.userid.toLowerCase() === userid)))
      .map((r) => structuredClone(r));
  }

  reset(): void {
    this.#records = [];
  }

  /**
   * URL verification as WeCom runs it when an admin saves the callback URL (§6.2): a GET with an encrypted random
   * number as echostr; the app must answer 200 with exactly the decrypted number within 1 s.
   */
  async verifyUrl(): Promise<UrlVerification> {
    const settings = this.#requireSettings();
    const record: UrlVerification = { kind: 'verification', id: this.#nextId++, url: settings.url, status: 'pending', startedAt: this.#options.clock.now() };
    this.#push(record);
    const timestamp = Math.floor(this.#options.clock.now() / 1000);
    const signed = signUrlVerification({ ...this.#credentials(settings), timestamp, random: randomDigits(16) });
    const expected = signed.plaintext;
    const url = withQuery(settings.url, signed.search);
    const started = performance.now();
    try {
      const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(this.#timing.verifyTimeoutMs) });
      const body = await response.text();
      record.httpStatus = response.status;
      if (response.status !== 200) record.error = `the app answered HTTP ${response.status}; it must answer 200 with the decrypted echostr`;
      else if (body !== expected) record.error = `the app answered ${describeBody(body)} instead of the decrypted echostr (exactly the number, no quotes, BOM or newline)`;
    } catch (error) {
      record.error = isTimeout(error) ? `no answer within ${this.#timing.verifyTimeoutMs} ms (WeCom allows 1 s)` : `could not reach the app: ${networkReason(error)}`;
    }
    record.durationMs = Math.round(performance.now() - started);
    record.status = record.error ? 'failed' : 'passed';
    record.finishedAt = this.#options.clock.now();
    this.#emit(record);
    return structuredClone(record);
  }

  /**
   * Delivers one event: encrypt for receive id = CorpID, sign, POST; retry on a non-200 or a timeout until the
   * attempts are used up; then read and apply the passive reply, if any. Resolves with the record.
   */
  async deliver(event: CallbackEventInput): Promise<CallbackDelivery> {
    const settings = this.#requireSettings();
    const xml = serializeCallbackXml(event);
    const record: CallbackDelivery = {
      kind: 'delivery',
      id: this.#nextId++,
      label: eventLabel(event),
      userid: memberOf(event),
      event: structuredClone(event),
      xml,
      status: 'pending',
      attempts: [],
      startedAt: this.#options.clock.now(),
    };
    this.#push(record);

    let body: string | undefined;
    for (let attempt = 1; attempt <= this.#timing.attempts; attempt++) {
      if (attempt > 1 && this.#timing.retryDelayMs > 0) await sleep(this.#timing.retryDelayMs);
      const result = await this.#post(settings, event, xml, attempt);
      record.attempts.push(result.attempt);
      this.#emit(record);
      if (result.attempt.outcome === 'ok') {
        body = result.body;
        break;
      }
    }

    if (body === undefined) {
      const last = record.attempts.at(-1)!;
      record.error = `not delivered after ${record.attempts.length} attempt(s): ${last.error ?? `HTTP ${last.httpStatus}`}`;
    } else if (body.trim() !== '') {
      // §6.7: an empty 200 means "received, no reply"; anything else must be an encrypted passive reply.
      try {
        const { plaintext, reply, toUser } = readPassiveReply(body, settings, this.#options.corpId);
        record.replyXml = plaintext;
        record.reply = reply;
        if (this.#options.applyReply) record.applied = await this.#options.applyReply(reply, { toUser, event });
      } catch (error) {
        // A reply WeCom would refuse is the app's mistake; anything else is the emulator's, but the record must
        // still end rather than stay pending, so both are recorded.
        record.error =
          error instanceof PassiveReplyError
            ? `the app answered 200 with a reply WeCom would reject: ${error.message}`
            : `the emulator failed to apply the passive reply: ${(error as Error).message}`;
      }
    }
    record.status = record.error ? 'failed' : 'delivered';
    record.finishedAt = this.#options.clock.now();
    this.#emit(record);
    return structuredClone(record);
  }

  async #post(settings: CallbackSettings, event: CallbackEventInput, xml: string, attempt: number): Promise<{ attempt: DeliveryAttempt; body?: string }> {
    // Each attempt is sealed afresh (new timestamp, nonce and random prefix), as a new request from WeCom.
    const agentId = event.type !== 'unknown' && 'agentId' in event ? event.agentId : undefined;
    const signed = signCallback({
      ...this.#credentials(settings),
      xml,
      ...(agentId !== undefined ? { agentId } : {}),
      timestamp: Math.floor(this.#options.clock.now() / 1000),
      random: randomDigits(16),
    });
    const url = withQuery(settings.url, signed.search);

    const at = this.#options.clock.now();
    const started = performance.now();
    const done = (fields: Omit<DeliveryAttempt, 'attempt' | 'at' | 'durationMs'>) => ({
      attempt,
      at,
      durationMs: Math.round(performance.now() - started),
      ...fields,
    });
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: signed.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timing.timeoutMs),
      });
      // The body is read under the same deadline: a reply that trickles in after 5 s is a timeout too.
      const body = await response.text();
      if (response.status !== 200) {
        return { attempt: done({ outcome: 'http', httpStatus: response.status, error: `HTTP ${response.status}` }) };
      }
      return { attempt: done({ outcome: 'ok', httpStatus: 200 }), body };
    } catch (error) {
      return isTimeout(error)
        ? { attempt: done({ outcome: 'timeout', error: `no answer within ${this.#timing.timeoutMs} ms` }) }
        : { attempt: done({ outcome: 'network', error: networkReason(error) }) };
    }
  }

  #credentials(settings: CallbackSettings) {
    // Callbacks are encrypted for receive id = CorpID (§6.5).
    return { token: settings.token, encodingAESKey: settings.encodingAESKey, corpId: this.#options.corpId };
  }

  #requireSettings(): CallbackSettings {
    const settings = this.#options.settings();
    if (!settings) {
      throw new CallbackNotConfiguredError(
        'no callback URL is configured: start the emulator with callback { url, token, encodingAESKey } (CLI: --callback-url --callback-token --encoding-aes-key)',
      );
    }
    return settings;
  }

  #push(record: CallbackRecord): void {
    this.#records.push(record);
    const max = this.#options.maxRecords ?? 1000;
    if (this.#records.length > max) this.#records.splice(0, this.#records.length - max);
    this.#emit(record);
  }

  #emit(record: CallbackRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch {
        // A failing listener (a closed console stream) must not break delivery.
      }
    }
  }
}

/** The callback URL with WeCom's parameters added (keeping any query the URL already has). */
function withQuery(base: string, search: string): URL {
  const url = new URL(base);
  for (const [name, value] of new URLSearchParams(search)) url.searchParams.set(name, value);
  return url;
}

/** 16 random ASCII digits, like the official samples' random prefix (§6.5). */
function randomDigits(length: number): Buffer {
  return Buffer.from(Array.from(randomBytes(length), (b) => 48 + (b % 10)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function describeBody(body: string): string {
  if (body === '') return 'an empty body';
  const shown = body.length > 60 ? `${body.slice(0, 60)}…` : body;
  return `${JSON.stringify(shown)} (${Buffer.byteLength(body)} bytes)`;
}

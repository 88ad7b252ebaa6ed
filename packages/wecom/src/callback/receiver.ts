/**
 * verifyAndReceive: one callback request in, an acknowledgement out — verify, decrypt, parse, dedupe, dispatch.
 *
 * The receiver owns WeCom's deadline (wecom-protocol.md §6.7: no answer within 5 s → WeCom drops the connection
 * and retries, 3 times in total). The HTTP answer is sent at the EARLIEST of:
 *   - a handler replies (ctx.reply(r) or returns r) → 200 with the encrypted passive reply (§6.6);
 *   - a handler calls ctx.ack() → empty 200, the handlers keep running;
 *   - every matching handler has finished → empty 200;
 *   - `replyDeadlineMs` (default 3 s) has passed → empty 200, the handlers keep running.
 * So a passive reply is only possible from a handler that answers within the deadline; after it, ctx.reply()
 * throws CallbackReplyError and the handler should send with message/send instead. Events WeCom takes no reply to
 * (change_contact, unsubscribe, §6.6), and events no handler listens to, are acknowledged at once. A second reply,
 * or a second ack from one handler, is an error (Bolt's HTTPResponseAck).
 *
 * A handler that throws BEFORE the answer was sent means the callback was not taken in (say, the app could not
 * store it): the answer is then a failure (HTTP 500 from the adapters), the dedupe claim is released, and WeCom's
 * retry runs the handlers again, so nothing is lost (`retryOnHandlerError`, default true; other handlers of the
 * same callback run again too — at least once, like any webhook). A handler that throws after the answer (it
 * acked, or the deadline passed) only reaches onError: WeCom already has its 200.
 *
 * Dedupe happens before dispatch, so a retry that arrives while the first delivery is still being handled does
 * not run the handlers twice (at most once per dedupe key; hand work that must survive a crash to a job queue,
 * with ctx.dedupeKey as the job key).
 */
import { assertCallbackCredentials, type CallbackCredentials } from './crypto.ts';
import { dedupeKeyFor, MemoryDedupeStore, type DedupeStore } from './dedupe.ts';
import { CallbackHandlerError, CallbackReplyError } from './errors.ts';
import type { CallbackEvent } from './events.ts';
import { encryptPassiveReply, isPassiveReply, passiveReplyXml, randomNonce, type PassiveReply } from './reply.ts';
import { CallbackRouter, type CallbackContext, type CallbackControls, type CallbackErrorHandler, type MatchedListener } from './router.ts';
import { decryptCallback, DEFAULT_MAX_BODY_BYTES, readCallbackQuery, verifyUrl } from './verify.ts';
import { textOf } from './xml.ts';

export interface Clock {
  /** Epoch milliseconds. `Date` itself is a Clock. */
  now(): number;
}

export interface CallbackReceiverOptions extends CallbackCredentials {
  /** Larger POST bodies are refused with 413 before parsing. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Refuse requests whose timestamp is further than this from the clock (replay protection). Default: off. */
  timestampToleranceSeconds?: number;
  /** Default `Date`. */
  clock?: Clock;
  /**
   * Default a MemoryDedupeStore (one process); pass a shared store for a cluster. `null`: no claim before dispatch,
   * for handlers that dedupe durably themselves — their first write is keyed on `ctx.dedupeKey` (a unique index),
   * so a retry is refused there, and a callback that could not be written is simply written by WeCom's retry. That
   * saves the store's round trip per callback; `duplicate` is then always false, and the handlers say what a
   * duplicate was.
   */
  dedupeStore?: DedupeStore | null;
  /** How long a callback's dedupe key is held. Default 600 s, well past WeCom's three tries within ~15 s. */
  dedupeTtlSeconds?: number;
  /** How long the HTTP answer may wait for a passive reply. Default 3000 ms; at most 4500 (WeCom waits 5 s). */
  replyDeadlineMs?: number;
  /** Registered as router.onError. */
  onError?: CallbackErrorHandler;
  /**
   * When a handler throws before the answer was sent, answer with a failure (so WeCom retries) and release the
   * dedupe claim. Default true; false answers 200 regardless (the failure only reaches onError).
   */
  retryOnHandlerError?: boolean;
}

export type QueryInput = string | URLSearchParams | Readonly<Record<string, unknown>>;

export interface ReceivedCallback {
  event: CallbackEvent;
  dedupeKey: string;
  /** True when the dedupe store had seen this callback: no handler ran. */
  duplicate: boolean;
  /** The encrypted passive-reply envelope for the 200 body, when a handler replied in time. */
  reply: string | undefined;
  /**
   * Set when a handler failed before the answer was sent (and retryOnHandlerError is on): the callback was not
   * taken in, its dedupe claim was released, and the adapters answer 500 so WeCom retries it.
   */
  failed?: Error;
  /** Settles when every handler has finished (never rejects; failures went to onError). */
  done: Promise<void>;
}

/** Events WeCom accepts a passive reply to (§6.6); unknown events may be among them (view_miniprogram, scancode_waitmsg). */
const REPLYABLE = new Set<string>([
  'text',
  'image',
  'voice',
  'video',
  'location',
  'link',
  'subscribe',
  'enter_agent',
  'LOCATION',
  'click',
  'view',
  'template_card_event',
  'template_card_menu_event',
  'unknown',
]);

const MAX_REPLY_DEADLINE_MS = 4_500;

export class CallbackReceiver extends CallbackRouter {
  readonly #credentials: CallbackCredentials;
  readonly #maxBodyBytes: number;
  readonly #tolerance: number | undefined;
  readonly #clock: Clock;
  readonly #store: DedupeStore | null;
  readonly #ttlMs: number;
  readonly #deadlineMs: number;
  readonly #retryOnHandlerError: boolean;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: CallbackReceiverOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('createCallbackHandler needs { token, encodingAESKey, corpId }');
    assertCallbackCredentials(options);
    this.#credentials = { token: options.token, encodingAESKey: options.encodingAESKey, corpId: options.corpId };
    this.#maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    this.#tolerance = options.timestampToleranceSeconds === undefined ? undefined : positive('timestampToleranceSeconds', options.timestampToleranceSeconds);
    this.#clock = options.clock ?? Date;
    this.#store = options.dedupeStore === null ? null : (options.dedupeStore ?? new MemoryDedupeStore());
    this.#ttlMs = positive('dedupeTtlSeconds', options.dedupeTtlSeconds ?? 600) * 1000;
    const deadline = options.replyDeadlineMs ?? 3_000;
    if (!Number.isFinite(deadline) || deadline < 0 || deadline > MAX_REPLY_DEADLINE_MS) {
      throw new RangeError(`replyDeadlineMs must be between 0 and ${MAX_REPLY_DEADLINE_MS} (WeCom gives up after 5 s, §6.7); got ${deadline}`);
    }
    this.#deadlineMs = deadline;
    this.#retryOnHandlerError = options.retryOnHandlerError ?? true;
    if (options.onError) this.onError(options.onError);
  }

  /** The cap adapters apply while reading the body. */
  get maxBodyBytes(): number {
    return this.#maxBodyBytes;
  }

  /** GET: checks and decrypts the echostr; returns the plaintext to answer with. Throws CallbackRequestError. */
  async verifyUrl(query: QueryInput): Promise<string> {
    try {
      const params = readCallbackQuery(query);
      return verifyUrl(this.#credentials, { msgSignature: params.msgSignature ?? '', timestamp: params.timestamp ?? '', nonce: params.nonce ?? '', echostr: params.echostr ?? '' }, this.#verifyOptions());
    } catch (error) {
      await this.reportError(error as Error);
      throw error;
    }
  }

  /**
   * POST: verifies, decrypts, parses and dedupes the callback, then dispatches it and resolves as soon as the
   * answer is known (see the file comment). Throws CallbackRequestError when the request is refused; then no
   * handler has run.
   */
  async receive(request: { query: QueryInput; body: string | Uint8Array }): Promise<ReceivedCallback> {
    let event: CallbackEvent;
    try {
      const params = readCallbackQuery(request.query);
      const opened = decryptCallback(
        this.#credentials,
        { msgSignature: params.msgSignature ?? '', timestamp: params.timestamp ?? '', nonce: params.nonce ?? '', body: request.body ?? '' },
        { ...this.#verifyOptions(), maxBodyBytes: this.#maxBodyBytes },
      );
      event = opened.event;
    } catch (error) {
      await this.reportError(error as Error);
      throw error;
    }

    const dedupeKey = dedupeKeyFor(event);
    if (!(await this.#claim(dedupeKey, event))) {
      return { event, dedupeKey, duplicate: true, reply: undefined, done: Promise.resolve() };
    }
    return this.#dispatch(event, dedupeKey);
  }

  /** Resolves when every handler started so far has finished: call it before shutting down. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #verifyOptions(): { now: number; timestampToleranceSeconds?: number } {
    return { now: this.#clock.now(), ...(this.#tolerance !== undefined ? { timestampToleranceSeconds: this.#tolerance } : {}) };
  }

  async #claim(key: string, event: CallbackEvent): Promise<boolean> {
    if (this.#store === null) return true; // the handlers dedupe (see dedupeStore)
    const now = this.#clock.now();
    try {
      return await this.#store.claim({ key, now, expiresAt: now + this.#ttlMs });
    } catch (error) {
      // The store is down: handle the callback anyway. A possible duplicate beats a lost message, which is what
      // refusing would risk after WeCom's last retry.
      await this.reportError(new Error(`the dedupe store failed, so this callback is handled without dedupe: ${(error as Error).message}`, { cause: error }), event);
      return true;
    }
  }

  /** Gives the claim back so WeCom's retry is handled; a store that cannot release lets the hold expire. */
  async #release(key: string, event: CallbackEvent): Promise<void> {
    try {
      await this.#store?.release?.(key);
    } catch (error) {
      await this.reportError(new Error(`the dedupe store could not release a failed callback; WeCom's retry waits for the hold to expire: ${(error as Error).message}`, { cause: error }), event);
    }
  }

  async #dispatch(event: CallbackEvent, dedupeKey: string): Promise<ReceivedCallback> {
    const listeners = this.match(event);
    const exchange = new ReplyExchange(event, (reply) => this.#encryptReply(event, reply));
    if (listeners.length === 0) exchange.close('no handler listens to it');
    else if (!REPLYABLE.has(event.type)) exchange.close(`WeCom takes no passive reply to a ${event.type} callback (§6.6)`);
    else if (this.#deadlineMs === 0) exchange.close('replyDeadlineMs is 0');

    const timer = exchange.isOpen
      ? setTimeout(() => exchange.close(`the ${this.#deadlineMs} ms reply deadline passed (WeCom waits 5 s, §6.7)`), this.#deadlineMs)
      : undefined;
    timer?.unref?.();

    const done = Promise.all(listeners.map((listener) => this.#run(listener, event, dedupeKey, exchange))).then(() => {
      exchange.close('every handler finished');
    });
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));

    const answer = await exchange.answer;
    if (timer) clearTimeout(timer);
    if (answer instanceof Error) {
      await this.#release(dedupeKey, event);
      return { event, dedupeKey, duplicate: false, reply: undefined, failed: answer, done };
    }
    return { event, dedupeKey, duplicate: false, reply: answer, done };
  }

  async #run(listener: MatchedListener, event: CallbackEvent, dedupeKey: string, exchange: ReplyExchange): Promise<void> {
    let acked = false;
    let replied = false;
    const controls: Omit<CallbackControls, 'canReply'> = {
      event,
      dedupeKey,
      match: listener.match,
      reply: (reply) => {
        if (replied) throw new CallbackReplyError('this handler already replied; a callback takes one reply');
        exchange.reply(reply);
        replied = true;
      },
      ack: () => {
        if (acked) throw new CallbackReplyError('this handler already acknowledged the callback');
        acked = true;
        exchange.close('a handler acknowledged it');
      },
    };
    const context = Object.defineProperty({ ...event, ...controls }, 'canReply', { get: () => exchange.isOpen, enumerable: true }) as CallbackContext;
    try {
      const result = await listener.handler(context);
      if (isPassiveReply(result)) context.reply(result);
    } catch (error) {
      const failure = new CallbackHandlerError(event.type, dedupeKey, error);
      if (this.#retryOnHandlerError) exchange.fail(failure);
      await this.reportError(failure, event);
    }
  }

  #encryptReply(event: CallbackEvent, reply: PassiveReply): string {
    const now = Math.floor(this.#clock.now() / 1000);
    // The reply goes back the other way: to the member who sent the callback, from the corp (§6.6).
    const plaintext = passiveReplyXml(reply, {
      toUserName: textOf(event.raw.FromUserName) ?? '',
      fromUserName: textOf(event.raw.ToUserName) ?? this.#credentials.corpId,
      createTime: now,
    });
    return encryptPassiveReply(this.#credentials, plaintext, { timestamp: now, nonce: randomNonce() });
  }
}

/**
 * The one open HTTP answer of a callback: a reply fills it once; closing it means an empty 200; failing it (a
 * handler threw while it was open) means the callback was not taken in.
 */
class ReplyExchange {
  readonly answer: Promise<string | undefined | Error>;
  #resolve!: (answer: string | undefined | Error) => void;
  #closedBecause: string | undefined;
  readonly #event: CallbackEvent;
  readonly #encrypt: (reply: PassiveReply) => string;

  constructor(event: CallbackEvent, encrypt: (reply: PassiveReply) => string) {
    this.#event = event;
    this.#encrypt = encrypt;
    this.answer = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get isOpen(): boolean {
    return this.#closedBecause === undefined;
  }

  reply(reply: PassiveReply): void {
    if (this.#closedBecause !== undefined) {
      throw new CallbackReplyError(
        `cannot reply to this ${this.#event.type} callback: the answer was already sent because ${this.#closedBecause}; send the message with message/send instead`,
      );
    }
    const envelope = this.#encrypt(reply); // throws on an invalid reply, leaving the answer open
    this.#closedBecause = 'a handler replied';
    this.#resolve(envelope);
  }

  close(because: string): void {
    if (this.#closedBecause !== undefined) return;
    this.#closedBecause = because;
    this.#resolve(undefined);
  }

  fail(error: Error): void {
    if (this.#closedBecause !== undefined) return;
    this.#closedBecause = 'a handler failed before the answer was sent';
    this.#resolve(error);
  }
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number; got ${String(value)}`);
  return value;
}

/** A receiver with its router: `createCallbackHandler({ token, encodingAESKey, corpId }).on('text', h)`. */
export function createCallbackHandler(options: CallbackReceiverOptions): CallbackReceiver {
  return new CallbackReceiver(options);
}


/**
 * Listeners are a filter plus a handler (Bolt's builtin middleware, the Ruby wechat gem's responder):
 * `on('text', /^today$/i, h)` is "only text, content matches, then h". Every matching listener runs, in
 * registration order, concurrently; `onAny` listeners see every event; `onError` gets every failure.
 * The router only matches: the receiver owns the deadline, the reply and the acknowledgement.
 */
import type { CallbackEvent, CallbackEventOf, CallbackEventType, ChangeContactEvent, ChangeContactType } from './events.ts';
import type { PassiveReply } from './reply.ts';

/**
 * What a handler gets: the event's own fields (so `e => e.eventKey` reads naturally, as in the Ruby wechat gem),
 * plus the event itself and the receiver's controls.
 */
export type CallbackContext<E extends CallbackEvent = CallbackEvent> = E & CallbackControls<E>;

export interface CallbackControls<E extends CallbackEvent = CallbackEvent> {
  readonly event: E;
  /** The key this callback was deduplicated by (dedupe.ts): use it as a job key for work handed on. */
  readonly dedupeKey: string;
  /** The pattern's match for `on(type, /regexp/, h)`; undefined otherwise. */
  readonly match: RegExpExecArray | undefined;
  /**
   * Answers WeCom with an encrypted passive reply (§6.6). Only possible while the receiver still holds the
   * response — before `replyDeadlineMs` and before any other reply; otherwise throws CallbackReplyError (send the
   * message with message/send instead). Returning a PassiveReply from the handler does the same.
   */
  reply(reply: PassiveReply): void;
  /** Answers WeCom now with an empty 200 (no reply), so slow work after it never holds the response. Once per handler. */
  ack(): void;
  /** Whether the response is still open for a reply. */
  readonly canReply: boolean;
}

/**
 * A handler may return a PassiveReply (an object whose `type` is a reply type) to reply; any other value is
 * ignored, so `e => e.eventKey` and `async e => { await work(e) }` are both fine.
 */
export type CallbackHandlerFn<E extends CallbackEvent = CallbackEvent> = (context: CallbackContext<E>) => unknown;
export type CallbackErrorHandler = (error: Error, event?: CallbackEvent) => void | Promise<void>;

/** Types whose listeners can filter on a value: text by Content, the rest by EventKey. */
export type PatternEventType = 'text' | 'click' | 'view' | 'enter_agent' | 'template_card_event' | 'template_card_menu_event';

/** A string matches the whole value exactly; a RegExp matches as `test` does. */
export type Pattern = string | RegExp;

interface Listener {
  readonly type: CallbackEventType | '*';
  readonly changeType?: string;
  readonly pattern?: Pattern;
  readonly handler: CallbackHandlerFn<any>;
}

export interface MatchedListener {
  readonly handler: CallbackHandlerFn<CallbackEvent>;
  readonly match: RegExpExecArray | undefined;
}

export class CallbackRouter {
  readonly #listeners: Listener[] = [];
  readonly #errorHandlers: CallbackErrorHandler[] = [];

  /** Contact changes of one ChangeType: `on('change_contact', 'update_user', e => e.newUserId)`. */
  on<C extends ChangeContactType>(type: 'change_contact', changeType: C, handler: CallbackHandlerFn<Extract<ChangeContactEvent, { changeType: C }>>): this;
  /** Text whose Content, or an event whose EventKey, matches the pattern. */
  on<T extends PatternEventType>(type: T, pattern: Pattern, handler: CallbackHandlerFn<CallbackEventOf<T>>): this;
  /** Every event of one type. */
  on<T extends CallbackEventType>(type: T, handler: CallbackHandlerFn<CallbackEventOf<T>>): this;
  on(type: CallbackEventType, patternOrHandler: Pattern | CallbackHandlerFn<any>, maybeHandler?: CallbackHandlerFn<any>): this {
    const handler = typeof patternOrHandler === 'function' ? patternOrHandler : maybeHandler;
    if (typeof handler !== 'function') throw new TypeError(`router.on("${String(type)}", …) needs a handler function`);
    if (typeof patternOrHandler === 'function') {
      this.#listeners.push({ type, handler });
    } else if (type === 'change_contact') {
      if (typeof patternOrHandler !== 'string') throw new TypeError('router.on("change_contact", changeType, h) takes the ChangeType as a string, e.g. "update_user"');
      this.#listeners.push({ type, changeType: patternOrHandler, handler });
    } else {
      if (typeof patternOrHandler !== 'string' && !(patternOrHandler instanceof RegExp)) {
        throw new TypeError(`router.on("${type}", pattern, h): the pattern must be a string or a RegExp`);
      }
      if (!PATTERN_FIELD[type as PatternEventType]) throw new TypeError(`"${type}" events have no value to match a pattern against; use router.on("${type}", h)`);
      this.#listeners.push({ type, pattern: patternOrHandler, handler });
    }
    return this;
  }

  /** Every event, including `unknown` ones. */
  onAny(handler: CallbackHandlerFn<CallbackEvent>): this {
    if (typeof handler !== 'function') throw new TypeError('router.onAny needs a handler function');
    this.#listeners.push({ type: '*', handler });
    return this;
  }

  /** Every failure: refused requests (CallbackRequestError), handler failures (CallbackHandlerError), misused replies. */
  onError(handler: CallbackErrorHandler): this {
    if (typeof handler !== 'function') throw new TypeError('router.onError needs a handler function');
    this.#errorHandlers.push(handler);
    return this;
  }

  /** The listeners an event goes to, in registration order. */
  match(event: CallbackEvent): MatchedListener[] {
    const matched: MatchedListener[] = [];
    for (const listener of this.#listeners) {
      if (listener.type !== '*' && listener.type !== event.type) continue;
      if (listener.changeType !== undefined && (event as { changeType?: string }).changeType !== listener.changeType) continue;
      let match: RegExpExecArray | undefined;
      if (listener.pattern !== undefined) {
        const field = PATTERN_FIELD[event.type as PatternEventType];
        const value = (event as unknown as Record<string, unknown>)[field];
        if (typeof value !== 'string') continue;
        if (typeof listener.pattern === 'string') {
          if (value !== listener.pattern) continue;
        } else {
          listener.pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
          const result = listener.pattern.exec(value);
          if (result === null) continue;
          match = result;
        }
      }
      matched.push({ handler: listener.handler, match });
    }
    return matched;
  }

  /** Reports an error to every onError handler; their own failures are swallowed so one cannot hide another. */
  async reportError(error: Error, event?: CallbackEvent): Promise<void> {
    if (this.#errorHandlers.length === 0) {
      // Nobody is listening: a handler failure must still be visible. The message holds no secret (errors.ts).
      if (!('status' in error)) console.error(`[@pairview/wecom] ${error.name}: ${error.message}`);
      return;
    }
    await Promise.all(
      this.#errorHandlers.map(async (handler) => {
        try {
          await handler(error, event);
        } catch {
          // An onError handler that throws has nowhere else to report to.
        }
      }),
    );
  }
}

const PATTERN_FIELD: Record<PatternEventType, string> = {
  text: 'content',
  click: 'eventKey',
  view: 'eventKey',
  enter_agent: 'eventKey',
  template_card_event: 'eventKey',
  template_card_menu_event: 'eventKey',
};

/**
 * The emulator's callback service, one per EmulatorState: the deliverer wired to the state's clock, callback
 * settings and inbox, the seam the control API calls (`state.deliverCallback`), and change_contact callbacks for
 * directory edits made in the console (§6.7: WeCom does not call back changes made through the API). The
 * callbacks plugin and the console plugin both reach it through `callbackService(state)`.
 */
import type { CallbackConfig } from '../config.ts';
import type { EmulatorState } from '../state/index.ts';
import { replyApplier } from './apply-reply.ts';
import { contactChangeEvent } from './contact-events.ts';
import { CallbackDeliverer, type CallbackDelivery, type UrlVerification } from './deliverer.ts';
import { completeEvent } from './events.ts';
import type { CallbackSettings, DeliveryTiming } from './settings.ts';

export class CallbackService {
  readonly deliverer: CallbackDeliverer;
  readonly #state: EmulatorState;
  #msgSeq = 0;
  /** The delivery started by the latest console directory edit, so the console can answer with its outcome. */
  #lastContactDelivery: Promise<CallbackDelivery> | undefined;

  constructor(state: EmulatorState) {
    this.#state = state;
    const timing = deliveryTiming(state.config.callback);
    this.deliverer = new CallbackDeliverer({
      corpId: state.config.corpId,
      settings: () => settingsOf(state.config.callback),
      clock: state.clock,
      timing,
      applyReply: replyApplier(state),
    });
    state.setCallbackDeliverer((event) => this.send(event));
    state.on((event) => {
      if (event.type === 'reset') {
        this.deliverer.reset();
      } else if (event.type === 'contact.changed' && event.origin === 'console' && this.deliverer.configured) {
        const delivery = this.send(contactChangeEvent(event.change));
        delivery.catch(() => {}); // recorded in the log; nobody may be awaiting it
        this.#lastContactDelivery = delivery;
      }
    });
  }

  get configured(): boolean {
    return this.deliverer.configured;
  }

  /**
   * Completes an event the way WeCom fills the header (CorpID, clock, AgentID, MsgId) and delivers it. Throws
   * CallbackEventError for an incomplete event and CallbackNotConfiguredError without a callback URL.
   */
  send(request: unknown): Promise<CallbackDelivery> {
    let event;
    try {
      event = completeEvent(request, {
        corpId: this.#state.config.corpId,
        agentId: this.#state.config.app.agentId,
        now: () => this.#state.clock.nowSeconds(),
        nextMsgId: () => this.#nextMsgId(),
      });
    } catch (error) {
      return Promise.reject(error);
    }
    return this.deliverer.deliver(event);
  }

  verifyUrl(): Promise<UrlVerification> {
    return this.deliverer.verifyUrl();
  }

  /** Takes the delivery the last console directory edit started (undefined without a callback URL). */
  takeContactDelivery(): Promise<CallbackDelivery> | undefined {
    const delivery = this.#lastContactDelivery;
    this.#lastContactDelivery = undefined;
    return delivery;
  }

  /** MsgIds are 64-bit decimal numbers (§6.10): the send time in seconds followed by a 9-digit sequence. */
  #nextMsgId(): string {
    this.#msgSeq = (this.#msgSeq + 1) % 1e9;
    return `${this.#state.clock.nowSeconds()}${String(this.#msgSeq).padStart(9, '0')}`;
  }
}

/**
 * The delivery timing set in the callback option (tests shorten it); WeCom's defaults otherwise. Throws a
 * TypeError naming the option, so a typo fails at start.
 */
export function deliveryTiming(config: CallbackConfig | undefined): Partial<DeliveryTiming> {
  const timing: Partial<DeliveryTiming> = {};
  for (const key of ['timeoutMs', 'attempts', 'retryDelayMs', 'verifyTimeoutMs'] as const) {
    const value = config?.[key];
    if (value === undefined) continue;
    const least = key === 'retryDelayMs' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < least) {
      throw new TypeError(`callback.${key} must be an integer >= ${least} (got ${JSON.stringify(value)})`);
    }
    timing[key] = value;
  }
  return timing;
}

function settingsOf(config: CallbackConfig | undefined): CallbackSettings | undefined {
  return config ? { url: config.url, token: config.token, encodingAESKey: config.encodingAESKey } : undefined;
}

const services = new WeakMap<EmulatorState, CallbackService>();

/** The state's callback service, created on first use (by whichever plugin registers first). */
export function callbackService(state: EmulatorState): CallbackService {
  let service = services.get(state);
  if (!service) {
    service = new CallbackService(state);
    services.set(state, service);
  }
  return service;
}

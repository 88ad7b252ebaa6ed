/**
 * The control API for tests (docs: README "Control API"): the same operations as `emu.control.*` and as HTTP
 * under /_emulator/ (routes.ts; the callback routes are in callbacks/plugin.ts, the card click is the console's
 * route). Each method checks its input and throws a ControlError that says what to fix, changing nothing.
 */
import type { CallbackRecord, UrlVerification } from '../callbacks/deliverer.ts';
import { callbackService } from '../callbacks/service.ts';
import { CardActionError, cardActionEvent, parseCardAction, type CardActionKind } from '../console/card-actions.ts';
import type { CallbackDelivery, CallbackEvent, CallRecord, DirectoryData, EmulatorState, FaultSpec, InboxMessage, RobotMessage } from '../state/index.ts';
import { CallbackNotConfiguredError, DirectoryError } from '../state/index.ts';
import { ControlError } from './errors.ts';
import { FaultError } from '../state/faults.ts';
import type { OAuthScope } from '../state/oauth.ts';

export { ControlError };

export interface EmulatorControl {
  /** Back to the start state: directory as loaded at start; tokens, messages, calls, faults, clock cleared. */
  reset(): void;
  loadDirectory(directory: DirectoryData): void;
  /** API calls, oldest first; `since` is a seq (calls after it). Credentials are recorded as `***`. */
  calls(filter?: { path?: string; since?: number }): CallRecord[];
  /** Inbox items (delivered, dropped and recalled), oldest first. */
  messages(filter?: { userid?: string }): InboxMessage[];
  /**
   * Counters since the start or the last reset, however many calls the log keeps: calls answered, answers per
   * errcode (`errcodes['45009']`: the frequency refusals a sender met), each app's messages today against its
   * daily quota, and the APIs blocked right now.
   */
  stats(): EmulatorStats;
  /** What group robots posted (not part of the shared contract; documented in the README). */
  robotMessages(filter?: { key?: string }): RobotMessage[];
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  revokeTokens(): void;
  advanceClock(seconds: number): void;
  setLatency(ms: number): void;
  sendCallback(event: CallbackEvent): Promise<CallbackDelivery>;
  /**
   * URL verification (§6.2) against the configured callback URL, as when an admin saves it: resolves with the
   * record (`status: 'passed' | 'failed'`); rejects with CallbackNotConfiguredError without a callback URL.
   */
  verifyCallbackUrl(): Promise<UrlVerification>;
  /** Every URL verification and callback delivery, oldest first; `userid` keeps a member's deliveries, `since` is a record id. */
  callbackLog(filter?: { userid?: string; since?: number }): CallbackRecord[];
  /**
   * A member's tap on a template card in their inbox, as the console sends it: `button` (button_interaction),
   * `submit` (vote / multiple) or `menu` (action_menu), with the selections; the card's task_id, type and a fresh
   * single-use ResponseCode go into the template_card_event (or template_card_menu_event) callback.
   */
  clickCard(userid: string, msgid: string, action: { action: CardActionKind; key: string; selectedItems?: { questionKey: string; optionIds: string[] }[] }): Promise<CallbackDelivery>;
  /** An OAuth code for a member, as if they chose "sign in as…" (bound to the main app unless agentId: null). */
  oauthCode(userid: string, options?: { agentId?: number | null; scope?: OAuthScope }): string;
}

export interface EmulatorStats {
  calls: number;
  errcodes: Record<string, number>;
  /** Per app: person-times today, the day's quota (seat limit × 200; null: not enforced), when the day ends. */
  dailyMessages: { agentId: number; used: number; limit: number | null; resetsAt: number }[];
  /** APIs refused for a block right now (per corp), with its end on the emulator's clock. */
  blocked: { path: string; until: number }[];
}

export function createControl(state: EmulatorState): EmulatorControl {
  return {
    stats() {
      const { calls, errcodes } = state.calls.counts();
      const { seatLimit, quotaTimeScale } = state.config.limits;
      const dayMs = 86_400_000 * quotaTimeScale;
      const beijing = 8 * 3_600_000;
      const resetsAt = (Math.floor((state.clock.now() + beijing) / dayMs) + 1) * dayMs - beijing;
      const paths = [...new Set(state.calls.list().map((c) => c.path))];
      return {
        calls,
        errcodes,
        dailyMessages: state.config.apps.map((app) => ({
          agentId: app.agentId,
          used: state.quotas.daily.used(String(app.agentId))[0]!,
          limit: seatLimit === 0 ? null : seatLimit * 200,
          resetsAt,
        })),
        blocked: paths.flatMap((path) => {
          const until = state.quotas.api.blockedUntil(path);
          return until === undefined ? [] : [{ path, until }];
        }),
      };
    },
    reset: () => state.reset(),
    loadDirectory(directory) {
      try {
        state.loadDirectory(directory);
      } catch (error) {
        if (error instanceof DirectoryError) throw new ControlError(`directory not loaded: ${error.message}`);
        throw error;
      }
    },
    calls(filter = {}) {
      if (filter.since !== undefined && !Number.isFinite(filter.since)) throw new ControlError('"since" must be a call seq number');
      return structuredClone(state.calls.list(filter));
    },
    // Copies, so a test cannot change the emulator's state through what it reads.
    messages: (filter = {}) => structuredClone(state.inbox.items(filter)),
    robotMessages(filter = {}) {
      if (filter.key !== undefined) return [...(state.robotMessages.get(filter.key) ?? [])];
      return [...state.robotMessages.values()].flat().sort((a, b) => a.sentAt - b.sentAt);
    },
    injectFault(fault) {
      try {
        state.faults.add(fault);
      } catch (error) {
        if (error instanceof FaultError) throw new ControlError(error.message);
        throw error;
      }
    },
    clearFaults: () => state.faults.clear(),
    revokeTokens: () => state.tokens.revokeAll(),
    advanceClock(seconds) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        throw new ControlError(`advanceClock needs {"seconds": N} with N >= 0 (got ${JSON.stringify(seconds)}); the clock only moves forward`);
      }
      state.clock.advance(seconds);
    },
    setLatency(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new ControlError(`setLatency needs {"ms": N} with N >= 0 (got ${JSON.stringify(ms)})`);
      state.latencyMs = ms;
    },
    sendCallback(event) {
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        return Promise.reject(new ControlError('sendCallback needs an event object, e.g. {"MsgType":"event","Event":"enter_agent","FromUserName":"zhangwei"}'));
      }
      return state.deliverCallback(event);
    },
    verifyCallbackUrl() {
      return callbackService(state).verifyUrl();
    },
    callbackLog(filter = {}) {
      if (filter.since !== undefined && (!Number.isInteger(filter.since) || filter.since < 0)) {
        throw new ControlError('"since" must be a record id (a non-negative integer)');
      }
      return callbackService(state).deliverer.records(filter);
    },
    async clickCard(userid, msgid, action) {
      const service = callbackService(state);
      const user = typeof userid === 'string' ? state.directory.user(userid) : undefined;
      if (!user) throw new ControlError(`clickCard needs the userid of a member of the directory (got ${JSON.stringify(userid)})`);
      // The inbox's own item (not a copy): the click is recorded on it as the console's is.
      const item = typeof msgid === 'string' ? state.inbox.item(msgid, user.userid) : undefined;
      if (!item) throw new ControlError(`${user.userid} has no message ${JSON.stringify(msgid)}`);
      // As on the phone: without a callback URL a click has nowhere to go (WeCom sends such cards only to apps with one, §3.2).
      if (!service.configured) {
        throw new CallbackNotConfiguredError('no callback URL is configured, so a card click cannot reach the app: start the emulator with callback { url, token, encodingAESKey }');
      }
      let event;
      try {
        event = cardActionEvent(state, item, parseCardAction(action));
      } catch (error) {
        if (error instanceof CardActionError) throw new ControlError(`clickCard: ${error.message}`);
        throw error;
      }
      return service.send(event);
    },
    oauthCode(userid, options = {}) {
      if (typeof userid !== 'string' || !state.directory.user(userid)) {
        throw new ControlError(`oauthCode needs the userid of a member of the directory (got ${JSON.stringify(userid)})`);
      }
      const agentId = options.agentId === undefined ? state.config.app.agentId : options.agentId;
      if (agentId !== null && !state.app(agentId)) throw new ControlError(`oauthCode: no app with agentId ${agentId}`);
      return state.oauth.issueCode(state.directory.user(userid)!.userid, { agentId, scope: options.scope }).code;
    },
  };
}

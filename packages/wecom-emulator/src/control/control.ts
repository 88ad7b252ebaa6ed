/**
 * The control API for tests (docs: /work/notes/emulator-contract.md, README "Control API"): the same
 * operations as `emu.control.*` and as HTTP under /_emulator/. Each method checks its input and throws a
 * ControlError that says what to fix, changing nothing.
 */
import type { CallbackDelivery, CallbackEvent, CallRecord, DirectoryData, EmulatorState, FaultSpec, InboxMessage, RobotMessage } from '../state/index.ts';
import { DirectoryError } from '../state/index.ts';
import { FaultError } from '../state/faults.ts';
import type { OAuthScope } from '../state/oauth.ts';

export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface EmulatorControl {
  /** Back to the start state: directory as loaded at start; tokens, messages, calls, faults, clock cleared. */
  reset(): void;
  loadDirectory(directory: DirectoryData): void;
  /** API calls, oldest first; `since` is a seq (calls after it). Credentials are recorded as `***`. */
  calls(filter?: { path?: string; since?: number }): CallRecord[];
  /** Inbox items (delivered, dropped and recalled), oldest first. */
  messages(filter?: { userid?: string }): InboxMessage[];
  /** What group robots posted (not part of the shared contract; documented in the README). */
  robotMessages(filter?: { key?: string }): RobotMessage[];
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  revokeTokens(): void;
  advanceClock(seconds: number): void;
  setLatency(ms: number): void;
  sendCallback(event: CallbackEvent): Promise<CallbackDelivery>;
  /** An OAuth code for a member, as if they chose "sign in as…" (bound to the main app unless agentId: null). */
  oauthCode(userid: string, options?: { agentId?: number | null; scope?: OAuthScope }): string;
}

export function createControl(state: EmulatorState): EmulatorControl {
  return {
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

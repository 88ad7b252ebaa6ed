/**
 * The emulator's whole state, shared by the WeCom API routes, the control API, and H5's callback deliverer and
 * member console (registered as fastify plugins with `{ state }`, see server.ts). One object, no globals: each
 * `startEmulator` gets its own.
 *
 *   config     resolved options: corp id, apps, secrets, callback settings, behaviour switches, limits
 *   clock      injectable, moved by advanceClock; every expiry reads it
 *   directory  departments, members, tags (replaced by loadDirectory; writes go through changeContacts)
 *   tokens     access tokens per credential;  tickets  JS-SDK tickets
 *   inbox      sent messages, per-member inbox items with card state, response_codes
 *   oauth      OAuth codes and user tickets;  media  uploaded temporary media
 *   chats      appchat group chats;  robotMessages  what group robots posted
 *   quotas     frequency windows (per API, per member, per robot, tickets)
 *   calls      the log of API calls;  faults  injected faults;  latencyMs  added to every API call
 *
 * Events (`on`) tell plugins when something happened that WeCom would turn into a callback or a phone
 * notification; the callback deliverer is a function H5 registers with `setCallbackDeliverer`.
 */
import { PERSON_TIMES_PER_SEAT, type AppConfig, type ResolvedConfig } from '../config.ts';
import { CallLog } from './calls.ts';
import type { AppChat, RobotMessage } from './chats.ts';
import { EmulatorClock } from './clock.ts';
import { type ContactChange, Directory, type DirectoryData, type DirectoryUser } from './directory.ts';
import { FaultTable } from './faults.ts';
import { type InboxMessage, Inbox, type SentMessage } from './inbox.ts';
import { Quota } from './limits.ts';
import { MediaStore } from './media.ts';
import { OAuthStore } from './oauth.ts';
import { TicketStore } from './tickets.ts';
import { TokenStore } from './tokens.ts';

/** Who made a contact change. WeCom does not call back changes made through the API (§6.7). */
export type ChangeOrigin = 'api' | 'console' | 'control';

export type EmulatorEvent =
  /** A message/send or appchat/send reached members (items include dropped ones). */
  | { type: 'message.sent'; sent: SentMessage; items: InboxMessage[] }
  | { type: 'message.recalled'; msgid: string }
  /** update_template_card changed the card of these members. */
  | { type: 'card.updated'; msgid: string; userids: string[] }
  /** A directory write. The callback deliverer sends change_contact for origin 'console' only. */
  | { type: 'contact.changed'; change: ContactChange; origin: ChangeOrigin }
  | { type: 'reset' };

export type EmulatorListener = (event: EmulatorEvent) => void;

/** A callback event to deliver, in the SDK's callback event shape (owned by H5's deliverer). */
export type CallbackEvent = Record<string, unknown>;

/** What a delivery did: status, each attempt, and the decrypted passive reply if any (owned by H5's deliverer). */
export type { CallbackDelivery } from '../callbacks/deliverer.ts';
import type { CallbackDelivery } from '../callbacks/deliverer.ts';

export type CallbackDeliverer = (event: CallbackEvent) => Promise<CallbackDelivery>;

// In a module of its own: the deliverer throws it too, and this module imports the deliverer's types.
export { CallbackNotConfiguredError } from './callback-errors.ts';
import { CallbackNotConfiguredError } from './callback-errors.ts';

export class EmulatorState {
  readonly config: ResolvedConfig;
  readonly clock: EmulatorClock;
  readonly tokens: TokenStore;
  readonly tickets: TicketStore;
  readonly inbox: Inbox;
  readonly oauth: OAuthStore;
  readonly media: MediaStore;
  readonly calls: CallLog;
  readonly faults = new FaultTable();
  readonly chats = new Map<string, AppChat>();
  /** Robot messages by webhook key. */
  readonly robotMessages = new Map<string, RobotMessage[]>();
  readonly quotas: {
    /** Per corp, per API path (§5); blocks 60 s / 60 min once exceeded. */
    api: Quota;
    /** Per caller IP and API path, key `${ip} ${path}` (§5); the same blocks. */
    ip: Quota;
    /** Per app → member, key `${agentId}:${userid}` (§5). */
    member: Quota;
    /** Per app, message/send person-times per natural day, key `${agentId}` (§5); blocks until the day ends. */
    daily: Quota;
    /** Per robot key (§9.2). */
    webhook: Quota;
    /** Key `corp` or `app:${agentId}` (§10). */
    jsapiCorp: Quota;
    jsapiApp: Quota;
    /** appchat (§5): send person-times per corp, per member (dropped silently), create per day, update per hour. */
    chatSend: Quota;
    chatMember: Quota;
    chatCreate: Quota;
    chatUpdate: Quota;
  };
  /** Calls in flight per API path, for 45033 (limits.concurrentPerApi). */
  readonly inflight = new Map<string, number>();
  /** Latency added to every API call (setLatency), real milliseconds. */
  latencyMs = 0;
  /** Duplicate check (§3.1): canonical request JSON per app → msgid and when it was first sent. */
  readonly duplicates = new Map<string, { msgid: string; at: number }>();

  #directory: Directory;
  readonly #initialDirectory: DirectoryData;
  readonly #listeners = new Set<EmulatorListener>();
  #deliverer: CallbackDeliverer | undefined;

  constructor(config: ResolvedConfig, directory: DirectoryData, now?: () => number) {
    this.config = config;
    this.clock = new EmulatorClock(now);
    this.#directory = new Directory(directory);
    this.#initialDirectory = this.#directory.toJSON();
    this.tokens = new TokenStore(this.clock, config.tokenTtlSeconds);
    this.tickets = new TicketStore(this.clock);
    this.inbox = new Inbox(this.clock, () => config.behaviour.responseCodeTtlHours);
    this.oauth = new OAuthStore(this.clock);
    this.media = new MediaStore(this.clock);
    this.calls = new CallLog(config.callLogSize);
    const { limits } = config;
    const scale = () => limits.quotaTimeScale;
    const minuteBlock = () => limits.minuteBlockSeconds;
    const hourBlock = () => limits.hourBlockSeconds;
    this.quotas = {
      api: new Quota(
        this.clock,
        [
          { seconds: 60, limit: () => limits.apiPerMinute, blockSeconds: minuteBlock },
          { seconds: 3600, limit: () => limits.apiPerHour, blockSeconds: hourBlock },
        ],
        scale,
      ),
      ip: new Quota(
        this.clock,
        [
          { seconds: 60, limit: () => limits.apiPerMinutePerIp, blockSeconds: minuteBlock },
          { seconds: 3600, limit: () => limits.apiPerHourPerIp, blockSeconds: hourBlock },
        ],
        scale,
      ),
      member: new Quota(
        this.clock,
        [
          { seconds: 60, limit: () => limits.memberPerMinute },
          { seconds: 3600, limit: () => limits.memberPerHour },
        ],
        scale,
      ),
      daily: new Quota(this.clock, [{ seconds: 'day', limit: () => (limits.seatLimit === 0 ? Number.POSITIVE_INFINITY : limits.seatLimit * PERSON_TIMES_PER_SEAT) }], scale),
      webhook: new Quota(this.clock, [{ seconds: 60, limit: () => limits.webhookPerMinute }], scale),
      jsapiCorp: new Quota(this.clock, [{ seconds: 3600, limit: () => limits.jsapiTicketPerHourPerCorp }], scale),
      jsapiApp: new Quota(this.clock, [{ seconds: 3600, limit: () => limits.agentTicketPerHourPerApp }], scale),
      chatSend: new Quota(
        this.clock,
        [
          { seconds: 60, limit: () => limits.appchatSendPerMinute, blockSeconds: minuteBlock },
          { seconds: 3600, limit: () => limits.appchatSendPerHour, blockSeconds: hourBlock },
        ],
        scale,
      ),
      chatMember: new Quota(
        this.clock,
        [
          { seconds: 60, limit: () => limits.appchatMemberPerMinute },
          { seconds: 'day', limit: () => limits.appchatMemberPerDay },
        ],
        scale,
      ),
      chatCreate: new Quota(this.clock, [{ seconds: 'day', limit: () => limits.appchatCreatePerDay }], scale),
      chatUpdate: new Quota(this.clock, [{ seconds: 3600, limit: () => limits.appchatUpdatePerHour }], scale),
    };
  }

  get directory(): Directory {
    return this.#directory;
  }

  // ── apps ─────────────────────────────────────────────────────────────────────────────────────────────────

  app(agentId: number): AppConfig | undefined {
    return this.config.apps.find((a) => a.agentId === agentId);
  }

  /** Whether a member is inside the app's visible range (default: everyone). */
  isVisible(app: AppConfig, user: DirectoryUser): boolean {
    const range = app.visibleRange;
    if (!range) return true;
    if (range.users?.some((u) => u.toLowerCase() === user.userid.toLowerCase())) return true;
    const departments = new Set((range.departments ?? []).flatMap((id) => this.#directory.subtree(id).map((d) => d.id)));
    return user.department.some((d) => departments.has(d));
  }

  /** Whether a department is inside the app's visible range. */
  isDepartmentVisible(app: AppConfig, id: number): boolean {
    const range = app.visibleRange;
    if (!range) return true;
    return (range.departments ?? []).some((root) => this.#directory.subtree(root).some((d) => d.id === id));
  }

  /** appchat is only for apps whose visible range is the root department (§9.1). */
  seesWholeCompany(app: AppConfig): boolean {
    return !app.visibleRange || (app.visibleRange.departments ?? []).includes(1);
  }

  // ── directory ────────────────────────────────────────────────────────────────────────────────────────────

  /** Replaces the directory (control API). Throws a DirectoryError that names the problem; nothing changes then. */
  loadDirectory(data: DirectoryData): void {
    this.#directory = new Directory(data);
  }

  /** Runs a directory write and tells listeners, so a console edit can become a change_contact callback. */
  changeContacts(origin: ChangeOrigin, write: (directory: Directory) => ContactChange): ContactChange {
    const change = write(this.#directory);
    this.emit({ type: 'contact.changed', change, origin });
    return change;
  }

  // ── events and the callback seam ─────────────────────────────────────────────────────────────────────────

  /** Subscribes to events; returns the unsubscribe function. A throwing listener does not break the API call. */
  on(listener: EmulatorListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: EmulatorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A plugin's listener failing must not change what the API answers.
      }
    }
  }

  /** Registered by the callbacks plugin (H5): delivers an event to the app's callback URL as WeCom would. */
  setCallbackDeliverer(deliverer: CallbackDeliverer | undefined): void {
    this.#deliverer = deliverer;
  }

  deliverCallback(event: CallbackEvent): Promise<CallbackDelivery> {
    if (!this.#deliverer) return Promise.reject(new CallbackNotConfiguredError());
    return this.#deliverer(event);
  }

  // ── reset ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Back to the start: the directory as loaded at start; tokens, messages, calls, faults, clock cleared. */
  reset(): void {
    this.#directory = new Directory(this.#initialDirectory);
    this.clock.reset();
    this.tokens.clear();
    this.tickets.clear();
    this.inbox.clear();
    this.oauth.clear();
    this.media.clear();
    this.calls.clear();
    this.faults.clear();
    this.chats.clear();
    this.robotMessages.clear();
    this.duplicates.clear();
    for (const quota of Object.values(this.quotas)) quota.clear();
    this.inflight.clear();
    this.latencyMs = 0;
    this.emit({ type: 'reset' });
  }
}

export type { AppChat, RobotMessage } from './chats.ts';
export type { CallRecord } from './calls.ts';
export type { ContactChange, DirectoryData, DirectoryDepartment, DirectoryTag, DirectoryUser } from './directory.ts';
export { Directory, DirectoryError } from './directory.ts';
export type { FaultSpec } from './faults.ts';
export type { CardState, DropReason, InboxMessage, InboxStatus, ResponseCodeRecord, SentMessage } from './inbox.ts';
export type { OAuthCode, OAuthScope } from './oauth.ts';
export type { StoredMedia } from './media.ts';

/** What the emulator passes to every plugin it registers (H5's callbacks and console plugins included). */
export interface EmulatorPluginOptions {
  state: EmulatorState;
}

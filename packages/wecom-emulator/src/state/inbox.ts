/**
 * What members received: one SentMessage per accepted message/send or appchat/send (by msgid) and one
 * InboxMessage per recipient, as the member's phone would show it. Also the response_codes of interactive
 * template cards (wecom-protocol.md §3.1, §3.6): single use, valid 72 h (configurable), bound to the app.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

export type InboxStatus = 'delivered' | 'dropped' | 'recalled';
/** Why an item was dropped silently while the API answered errcode 0 (§3.1, §5). */
export type DropReason = 'duplicate' | 'member_minute_limit' | 'member_hour_limit' | 'chat_member_minute_limit' | 'chat_member_day_limit';

/** The current state of a template card in one member's inbox. */
export interface CardState {
  /** The card as sent, or as last replaced by update_template_card. */
  template_card: Record<string, unknown>;
  /** Set by update_template_card `button.replace_name` (or an update_button passive reply): buttons are done. */
  replaceName?: string;
  updatedAt?: number;
  /** The member's last click, recorded by the console (H5): button key and selected options. */
  lastAction?: { eventKey: string; selectedItems?: { questionKey: string; optionIds: string[] }[]; at: number };
}

export interface InboxMessage {
  msgid: string;
  /** The member's userid as spelled in the directory. */
  userid: string;
  /** The sending app; null for appchat messages. */
  agentId: number | null;
  msgtype: string;
  /** The msgtype body as delivered (text truncated to 2048 bytes, etc.). */
  content: Record<string, unknown>;
  /** Emulator clock, milliseconds. */
  sentAt: number;
  status: InboxStatus;
  dropReason?: DropReason;
  /** The response_code issued with the send (interactive cards). */
  responseCode?: string;
  card?: CardState;
  /** appchat/send: the group chat. */
  chatid?: string;
  safe?: number;
}

export interface SentMessage {
  msgid: string;
  agentId: number | null;
  msgtype: string;
  content: Record<string, unknown>;
  sentAt: number;
  /** Userids the message reached (delivered, not dropped). */
  recipients: string[];
  responseCode?: string;
  chatid?: string;
  recalled: boolean;
}

export interface ResponseCodeRecord {
  code: string;
  msgid: string;
  agentId: number;
  /** The member whose click produced it; null for the code returned by message/send. */
  userid: string | null;
  issuedAt: number;
  expiresAt: number;
  used: boolean;
}

export type ResponseCodeCheck = { ok: true; record: ResponseCodeRecord } | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'other_app' };

export class Inbox {
  readonly #clock: Clock;
  readonly #responseCodeTtlMs: () => number;
  readonly #sent = new Map<string, SentMessage>();
  readonly #items: InboxMessage[] = [];
  readonly #responseCodes = new Map<string, ResponseCodeRecord>();

  constructor(clock: Clock, responseCodeTtlHours: () => number) {
    this.#clock = clock;
    this.#responseCodeTtlMs = () => responseCodeTtlHours() * 3600_000;
  }

  /** A msgid in WeCom's style: an opaque URL-safe string (§3.1). */
  static newMsgid(): string {
    // Never a leading '-': a command line would read such an id as an option (a 1-in-64 flake in the CLI tests).
    for (;;) {
      const id = randomBytes(45).toString('base64url');
      if (!id.startsWith('-')) return id;
    }
  }

  record(sent: SentMessage, items: InboxMessage[]): void {
    this.#sent.set(sent.msgid, sent);
    this.#items.push(...items);
  }

  /** Items that belong to an already recorded message (e.g. duplicates dropped by the duplicate check). */
  addItems(items: InboxMessage[]): void {
    this.#items.push(...items);
  }

  sent(msgid: string): SentMessage | undefined {
    return this.#sent.get(msgid);
  }

  /** Inbox items, oldest first; `userid` matches case-insensitively. */
  items(filter: { userid?: string; msgid?: string } = {}): InboxMessage[] {
    const userid = filter.userid?.toLowerCase();
    return this.#items.filter((item) => (userid === undefined || item.userid.toLowerCase() === userid) && (filter.msgid === undefined || item.msgid === filter.msgid));
  }

  /** The member's copy of a message (delivered or recalled), if any. */
  item(msgid: string, userid: string): InboxMessage | undefined {
    const key = userid.toLowerCase();
    return this.#items.find((item) => item.msgid === msgid && item.userid.toLowerCase() === key && item.status !== 'dropped');
  }

  recall(msgid: string): void {
    const sent = this.#sent.get(msgid);
    if (sent) sent.recalled = true;
    for (const item of this.#items) if (item.msgid === msgid && item.status === 'delivered') item.status = 'recalled';
  }

  /** Issues a response_code for a card message: at send time (userid null) or for one member's click. */
  issueResponseCode(msgid: string, agentId: number, userid: string | null): string {
    const code = randomBytes(30).toString('base64url');
    const now = this.#clock.now();
    this.#responseCodes.set(code, { code, msgid, agentId, userid, issuedAt: now, expiresAt: now + this.#responseCodeTtlMs(), used: false });
    return code;
  }

  /** Uses a response_code once (update_template_card); any failure is errcode 60140. */
  takeResponseCode(code: string, agentId: number): ResponseCodeCheck {
    const record = this.#responseCodes.get(code);
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.agentId !== agentId) return { ok: false, reason: 'other_app' };
    if (record.used) return { ok: false, reason: 'used' };
    if (record.expiresAt <= this.#clock.now()) return { ok: false, reason: 'expired' };
    record.used = true;
    return { ok: true, record };
  }

  /** Applies an update to the card in each listed member's inbox (update_template_card, §3.6). */
  updateCard(msgid: string, userids: string[], update: { replaceName: string } | { template_card: Record<string, unknown> }): void {
    const now = this.#clock.now();
    for (const userid of userids) {
      const item = this.item(msgid, userid);
      if (!item?.card) continue;
      if ('replaceName' in update) {
        item.card.replaceName = update.replaceName;
      } else {
        item.card.template_card = structuredClone(update.template_card);
        delete item.card.replaceName;
      }
      item.card.updatedAt = now;
    }
  }

  clear(): void {
    this.#sent.clear();
    this.#items.length = 0;
    this.#responseCodes.clear();
  }
}

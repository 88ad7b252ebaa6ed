/**
 * The message/send request body (wecom-protocol.md §3.1): recipients as `|`-joined strings, the app's agentid
 * (except for miniprogram_notice), the msgtype body, and the send options. Built from typed parts, or parsed from
 * a body someone wrote by hand (`wecom send --json message.json`).
 */
import { Checker, MessageValidationError } from './checker.ts';
import { MSG_TYPES, type Message, type MsgType, type Recipients } from './types.ts';
import type { QuotaPriority } from '../limiter/rules.ts';
import type { QuotaClaim } from '../limiter/types.ts';
import { checkMessage, checkRecipients, MAX_DUPLICATE_CHECK_INTERVAL, uniqueUserIds } from './validate.ts';

export interface SendOptions {
  /** 0 shareable (default); 1 no sharing, watermarked; 2 shareable inside the corp only (mpnews only). */
  safe?: 0 | 1 | 2;
  /**
   * WeCom delivers an identical request only once within `duplicateCheckInterval`. Turning it on also lets the SDK
   * retry a send whose outcome is unknown (the repeat is dropped by WeCom), so it is the safe choice for jobs.
   */
  enableDuplicateCheck?: boolean;
  /** Seconds, 1–14400 (default 1800). */
  duplicateCheckInterval?: number;
  /** Replace `$userName=USERID$`-style placeholders (§3.3). */
  enableIdTrans?: boolean;
  /** Who goes first when a quota is short (the limiter): urgent, normal (default), low or bulk. */
  priority?: QuotaPriority;
  /** Throw RateLimitWaitError (with `retryAt`) instead of waiting longer than this for a quota. */
  maxWaitMs?: number;
  /**
   * How many members the send reaches, for the app's daily quota of person-times (§5). Default: the members in
   * `toUser`; give it for sends to departments, tags or @all, which the SDK cannot count.
   */
  personTimes?: number;
  signal?: AbortSignal;
}

/** The JSON body of message/send. */
export interface SendBody {
  touser?: string;
  toparty?: string;
  totag?: string;
  msgtype: MsgType;
  agentid?: number;
  safe?: 0 | 1 | 2;
  enable_id_trans?: 0 | 1;
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
  [body: string]: unknown;
}

function checkOptions(c: Checker, message: unknown, options: SendOptions): void {
  const msgtype = (message as { msgtype?: unknown } | null)?.msgtype;
  if (c.oneOf('safe', options.safe, [0, 1, 2])) {
    if (options.safe === 2 && msgtype !== 'mpnews') c.add('safe', `safe 2 (share inside the corp only) is for mpnews messages only; this is ${String(msgtype)}`);
    // 40074: news does not support safe; mpnews does.
    if (options.safe !== 0 && msgtype === 'news') c.add('safe', 'news messages do not support safe; send an mpnews message instead');
  }
  if (options.personTimes !== undefined && (!Number.isInteger(options.personTimes) || options.personTimes < 0)) {
    c.add('personTimes', `personTimes is ${String(options.personTimes)}; it counts the members a send reaches, a whole number ≥ 0`);
  }
  const interval = options.duplicateCheckInterval;
  if (interval !== undefined) {
    if (!Number.isInteger(interval) || interval < 1 || interval > MAX_DUPLICATE_CHECK_INTERVAL) {
      c.add('duplicate_check_interval', `duplicateCheckInterval is ${interval}; WeCom allows 1–${MAX_DUPLICATE_CHECK_INTERVAL} seconds (4 hours)`);
    }
  }
}

/** Validates everything and returns the wire body. Throws a MessageValidationError listing every problem. */
export function buildSendBody(recipients: Recipients, message: Message, agentId: number, options: SendOptions = {}): SendBody {
  const c = new Checker();
  checkRecipients(c, recipients, { allowAll: message?.msgtype !== 'miniprogram_notice' });
  checkMessage(c, message);
  checkOptions(c, message, options);
  c.throwIfAny();

  const body: SendBody = { ...joinRecipients(recipients), msgtype: message.msgtype };
  // miniprogram_notice is addressed by the mini program's appid and takes no agentid (§3.2).
  if (message.msgtype !== 'miniprogram_notice') body.agentid = agentId;
  body[message.msgtype] = (message as Record<string, unknown>)[message.msgtype];
  if (options.safe !== undefined) body.safe = options.safe;
  if (options.enableIdTrans !== undefined) body.enable_id_trans = options.enableIdTrans ? 1 : 0;
  if (options.enableDuplicateCheck !== undefined) body.enable_duplicate_check = options.enableDuplicateCheck ? 1 : 0;
  if (options.duplicateCheckInterval !== undefined) body.duplicate_check_interval = options.duplicateCheckInterval;
  return body;
}

/** touser/toparty/totag as WeCom wants them: ids joined by `|`, empty lists left out. */
export function joinRecipients(recipients: Recipients): Pick<SendBody, 'touser' | 'toparty' | 'totag'> {
  const out: Pick<SendBody, 'touser' | 'toparty' | 'totag'> = {};
  if (recipients.toUser === '@all') out.touser = '@all';
  else if (recipients.toUser?.length) out.touser = uniqueUserIds(recipients.toUser).join('|');
  if (recipients.toParty?.length) out.toparty = [...new Set(recipients.toParty.map((id) => String(id).trim()))].join('|');
  if (recipients.toTag?.length) out.totag = [...new Set(recipients.toTag.map((id) => String(id).trim()))].join('|');
  return out;
}

/** The per-member quota keys of a send (§5: 30/min and 1000/h per member; WeCom drops the excess silently). */
export function memberQuotaKeys(recipients: Recipients): string[] {
  if (recipients.toUser === '@all' || !recipients.toUser) return [];
  return uniqueUserIds(recipients.toUser).map((user) => `member:${user.toLowerCase()}`);
}

/**
 * Every quota a message/send takes besides the per-API ones: each named member's, and the app's daily person-times
 * (seat limit × 200 a day, §5) for the members it reaches.
 */
export function sendQuotas(recipients: Recipients, options: Pick<SendOptions, 'personTimes'> = {}): (string | QuotaClaim)[] {
  const members = memberQuotaKeys(recipients);
  const personTimes = options.personTimes ?? members.length;
  return personTimes > 0 ? [...members, { quota: 'day:message', units: personTimes }] : members;
}

const TOP_LEVEL = new Set(['touser', 'toparty', 'totag', 'msgtype', 'agentid', 'safe', 'enable_id_trans', 'enable_duplicate_check', 'duplicate_check_interval']);

export interface ParsedSendBody {
  recipients: Recipients;
  message: Message;
  options: SendOptions;
}

/**
 * Reads a hand-written message/send body (WeCom's own JSON, as in its docs) into typed parts, so it goes through
 * the same checks as a built one. `agentid` may be left out (the configured one is used); if present it must equal
 * `agentId`.
 */
export function parseSendBody(json: unknown, agentId: number): ParsedSendBody {
  const c = new Checker();
  if (!c.isObject('body', json)) c.throwIfAny();
  const body = json as Record<string, unknown>;
  const msgtype = body.msgtype;
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL.has(key) && key !== msgtype) {
      const hint = (MSG_TYPES as readonly string[]).includes(key) ? ` (msgtype is ${JSON.stringify(msgtype)})` : '';
      c.add(key, `unknown field "${key}"${hint}`);
    }
  }
  if (body.agentid !== undefined && body.agentid !== agentId && String(body.agentid) !== String(agentId)) {
    c.add('agentid', `agentid is ${JSON.stringify(body.agentid)} but the configured app is ${agentId}; remove agentid to use the configured one`);
  }
  const recipients: Recipients = {
    toUser: body.touser === '@all' ? '@all' : splitIds(c, 'touser', body.touser),
    toParty: splitIds(c, 'toparty', body.toparty),
    toTag: splitIds(c, 'totag', body.totag),
  };
  const options: SendOptions = {
    safe: body.safe as SendOptions['safe'],
    enableIdTrans: flag(c, 'enable_id_trans', body.enable_id_trans),
    enableDuplicateCheck: flag(c, 'enable_duplicate_check', body.enable_duplicate_check),
    duplicateCheckInterval: body.duplicate_check_interval as number | undefined,
  };
  const message = { msgtype, [String(msgtype)]: body[String(msgtype)] } as unknown as Message;
  c.throwIfAny();
  // The remaining checks are the ones buildSendBody makes; run them now so the caller gets all problems at once.
  const full = new Checker();
  checkRecipients(full, recipients, { allowAll: msgtype !== 'miniprogram_notice' });
  checkMessage(full, message);
  checkOptions(full, message, options);
  full.throwIfAny();
  return { recipients, message, options: dropUndefined(options) };
}

/** `"a|b | c"` (wire form; WeCom's examples put spaces around `|`) or an array. */
function splitIds(c: Checker, path: string, value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'number') return [String(value)];
  if (typeof value !== 'string') {
    c.add(path, `${path} must be a string of ids joined by "|"`);
    return undefined;
  }
  return value.split('|').map((s) => s.trim()).filter((s) => s !== '');
}

function flag(c: Checker, path: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 0 || value === 1 || value === true || value === false) return value === 1 || value === true;
  c.add(path, `${path} must be 0 or 1`);
  return undefined;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export { MessageValidationError };

/**
 * WeCom's error envelope: errcodes, their English errmsg texts, and the current errmsg format
 * `<text>, hint: [<hint>], from ip: <ip>, more info at https://open.work.weixin.qq.com/devtool/query?e=<code>`
 * (wecom-protocol.md §1.7). Texts marked [OBS] in §4 are the ones seen in real responses; the others follow
 * WeCom's "invalid xxx" wording (§12.3: exact texts are undocumented).
 */
import { randomInt } from 'node:crypto';

export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40003: 'invalid userid',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40006: 'invalid file size',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40009: 'invalid image size',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40031: 'invalid userid list',
  40032: 'invalid userid list size',
  40035: 'invalid parameter',
  40056: 'invalid agentid',
  40058: 'invalid Request Parameter',
  40063: 'param is empty',
  40066: 'invalid department list',
  40068: 'invalid tagid',
  40074: 'news message not support safe',
  40094: 'invalid url',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41008: 'missing code',
  41010: 'missing url',
  41011: 'missing agentid',
  41016: 'missing title',
  41033: 'missing description',
  42001: 'access_token expired',
  42014: 'invalid task_id',
  42027: 'template_card.horizontal_content_list.keyname missing',
  42028: 'template_card url missing',
  42029: 'template_card media_id missing',
  42030: 'template_card appid missing',
  42031: 'invalid template_card.card_type',
  42033: 'template_card title missing',
  42035: 'invalid template_card.horizontal_content_list size',
  42036: 'invalid template_card.vertical_content_list size',
  42037: 'invalid template_card option_list size',
  42038: 'template_card.button_list.text missing or invalid',
  42039: 'template_card.button_list.key missing or invalid',
  42040: 'template_card option_list.id missing or invalid',
  42041: 'template_card option_list.text missing or invalid',
  42042: 'invalid template_card.jump_list size',
  42043: 'template_card question_key missing or invalid',
  42044: 'template_card.card_image.url missing or invalid',
  42045: 'template_card.card_action missing or invalid',
  42046: 'template_card.submit_button.key missing or invalid',
  42047: 'invalid template_card.select_list size',
  42049: 'template_card.submit_button.text missing or invalid',
  42050: 'template_card.horizontal_content_list.userid missing or invalid',
  42051: 'template_card.action_menu.action_list.key conflict',
  42052: 'msgid expired',
  44001: 'empty media data',
  44004: 'empty content',
  45001: 'media size out of limit',
  45002: 'content size out of limit',
  45008: 'article count out of limit',
  45009: 'api freq out of limit',
  45032: 'author size out of limit',
  46004: 'user not found',
  48002: 'api forbidden',
  50001: 'redirect_uri unauthorized',
  60001: 'invalid department name size',
  60003: 'department not found',
  60004: 'parent department not found',
  60005: 'department has member',
  60006: 'department has child department',
  60007: 'not allow to delete root department',
  60008: 'department existed',
  60009: 'department name contains invalid characters',
  60010: 'department cycle',
  60011: 'no privilege to access/modify contact/party/agent',
  60020: 'not allow to access from your ip',
  60102: 'userid existed',
  60103: 'invalid mobile',
  60104: 'mobile existed',
  60105: 'invalid email',
  60106: 'email existed',
  60111: 'userid not found',
  60112: 'invalid name',
  60127: 'missing department',
  60129: 'mobile and email both empty',
  60132: 'is_leader_in_dept size not match department',
  60140: 'invalid response_code',
  81013: 'user & party & tag all invalid',
  82001: 'All touser & toparty & totag invalid',
  82002: 'invalid partyid list size',
  82003: 'invalid tagid list size',
  82101: 'update target empty',
  82102: 'update target not in message',
  86001: 'invalid chatid',
  86003: 'chatid not found',
  86004: 'invalid chat name',
  86005: 'invalid chat owner',
  86006: 'invalid chat member count',
  86007: 'invalid chat member',
  86008: 'chat not created by this app',
  86201: 'missing chatid',
  86207: 'chat owner not in member list',
  86215: 'chatid existed',
  91040: 'invalid ticket type',
  93000: 'invalid webhook url',
  301002: 'not allow operate another agent with this accesstoken.',
};

/**
 * A WeCom business error. Thrown by handlers; the API pipeline turns it into
 * `{errcode, errmsg, ...zero-valued fields, ...extra}` with HTTP 200 (§1.4, §1.8).
 */
export class ApiError extends Error {
  readonly errcode: number;
  /** Replaces the standard text, e.g. 40058's "text.content exceed max length 2048" detail. */
  readonly text: string | undefined;
  /** Fields the error body still carries, e.g. invaliduser on 81013 (§3.1). */
  readonly extra: Record<string, unknown>;

  constructor(errcode: number, options: { text?: string; extra?: Record<string, unknown> } = {}) {
    super(options.text ?? ERRMSG[errcode] ?? `errcode ${errcode}`);
    this.name = 'ApiError';
    this.errcode = errcode;
    this.text = options.text;
    this.extra = options.extra ?? {};
  }
}

/** New-style hint id: 10-digit unix seconds followed by 15 random digits (§1.7). */
export function hintId(nowMs: number): string {
  let digits = '';
  for (let i = 0; i < 15; i++) digits += String(randomInt(10));
  return `${Math.floor(nowMs / 1000)}${digits}`;
}

/** The full current errmsg format (§1.7, §11). */
export function formatErrmsg(errcode: number, options: { text?: string; ip: string; nowMs: number }): string {
  const text = options.text ?? ERRMSG[errcode] ?? `errcode ${errcode}`;
  return `${text}, hint: [${hintId(options.nowMs)}], from ip: ${options.ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

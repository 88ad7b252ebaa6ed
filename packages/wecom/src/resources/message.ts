/**
 * App messages: `message/send`, `message/recall`, `message/update_template_card` (wecom-protocol.md §3).
 * One documented request per method; validation, recipients and quota keys come from ../messages.
 */
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';
import type { QuotaPriority } from '../limiter/rules.ts';
import { buildSendBody, sendQuotas, type SendOptions } from '../messages/send-body.ts';
import type { Message, Recipients, TemplateCard } from '../messages/types.ts';
import { checkTemplateCard } from '../messages/validate-card.ts';
import { MAX_PARTIES, MAX_TAGS, MAX_USERS, uniqueUserIds } from '../messages/validate.ts';

export interface SendResult {
  /** Used by `recall` (within 24 h). */
  msgid: string;
  /** Userids WeCom did not deliver to (unknown or outside the app's visible range), lower-cased by WeCom. */
  invalidUsers: string[];
  invalidParties: string[];
  invalidTags: string[];
  /** Members without an interface licence (third-party and 代开发 apps). */
  unlicensedUsers: string[];
  /** For interactive template cards: the single-use code for `updateTemplateCard` (72 h). */
  responseCode?: string;
}

interface SendResponse extends WeComResponse {
  msgid?: string;
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  response_code?: string;
}

export interface UpdateTemplateCardParams {
  /**
   * Members whose copy to update (≤1000). With none of userids/partyids/tagids/atAll, a response_code from a
   * member's click updates that member's card.
   */
  userids?: readonly string[];
  /** Departments (≤100). */
  partyids?: readonly number[];
  /** Tags (≤100). */
  tagids?: readonly number[];
  /** Update every recipient of the message. */
  atAll?: boolean;
  /** From the send result or the template_card_event callback; single use. */
  responseCode: string;
  /** Turn the clicked button into a label: `{ replaceName: '已批准' }`. Give this or `card`. */
  button?: { replaceName: string };
  /** Replace the whole card. Give this or `button`. */
  card?: TemplateCard;
  enableIdTrans?: boolean;
  /** Who goes first when the per-API quota is short. Default `normal`. */
  priority?: QuotaPriority;
  signal?: AbortSignal;
}

export interface UpdateTemplateCardResult {
  /** Userids WeCom could not update (the response's shape is not confirmed — §12 point 7 — so both forms are read). */
  invalidUsers: string[];
}

interface UpdateTemplateCardResponse extends WeComResponse {
  invaliduser?: string[] | string;
}

export class MessageApi {
  readonly #api: ApiCaller;
  readonly #agentId: number;

  constructor(api: ApiCaller, app: { agentId: number }) {
    this.#api = api;
    this.#agentId = app.agentId;
  }

  /**
   * `POST /cgi-bin/message/send` (§3.1). Checks the documented limits first and throws a MessageValidationError
   * listing every problem. Takes one unit of each recipient's member quota (30/min, 1000/h; WeCom drops the excess
   * silently, so the limiter waits instead) and the person-times of the app's daily quota. Retried after an
   * unknown outcome only with enableDuplicateCheck.
   */
  async send(recipients: Recipients, message: Message, options: SendOptions = {}): Promise<SendResult> {
    const body = buildSendBody(recipients, message, this.#agentId, options);
    const response = await this.#api.call<SendResponse>({
      method: 'POST',
      path: '/cgi-bin/message/send',
      body,
      retry: options.enableDuplicateCheck ? 'duplicate-checked' : 'once-only',
      quotas: sendQuotas(recipients, options),
      ...(options.priority !== undefined && { priority: options.priority }),
      ...(options.maxWaitMs !== undefined && { maxWaitMs: options.maxWaitMs }),
      signal: options.signal,
    });
    return parseSendResponse(response);
  }

  /** `POST /cgi-bin/message/recall` (§3.5): only messages sent by this app within 24 h (else 42052). */
  async recall(msgid: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const c = new Checker();
    c.string('msgid', msgid, { required: true });
    c.throwIfAny('recall');
    await this.#api.call({ method: 'POST', path: '/cgi-bin/message/recall', body: { msgid }, retry: 'once-only', signal: options.signal });
  }

  /**
   * `POST /cgi-bin/message/update_template_card` (§3.6). The response_code is single use, so an update whose outcome
   * is unknown is not retried (a repeat would answer 60140).
   */
  async updateTemplateCard(params: UpdateTemplateCardParams): Promise<UpdateTemplateCardResult> {
    const body = buildUpdateTemplateCardBody(params, this.#agentId);
    const response = await this.#api.call<UpdateTemplateCardResponse>({
      method: 'POST',
      path: '/cgi-bin/message/update_template_card',
      body,
      retry: 'once-only',
      ...(params.priority !== undefined && { priority: params.priority }),
      signal: params.signal,
    });
    const invalid = response.invaliduser;
    return { invalidUsers: Array.isArray(invalid) ? invalid.map(String) : splitIds(invalid) };
  }
}

/** `"a|b"` → `['a', 'b']`; absent or `""` → `[]` (WeCom sends either when nothing was invalid, §12 point 5). */
export function splitIds(value: string | undefined | null): string[] {
  if (!value) return [];
  return String(value)
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseSendResponse(response: SendResponse): SendResult {
  const result: SendResult = {
    msgid: response.msgid ?? '',
    invalidUsers: splitIds(response.invaliduser),
    invalidParties: splitIds(response.invalidparty),
    invalidTags: splitIds(response.invalidtag),
    unlicensedUsers: splitIds(response.unlicenseduser),
  };
  if (response.response_code) result.responseCode = response.response_code;
  return result;
}

export function buildUpdateTemplateCardBody(params: UpdateTemplateCardParams, agentId: number): Record<string, unknown> {
  const c = new Checker();
  if (!c.isObject('params', params)) c.throwIfAny('updateTemplateCard');
  c.string('response_code', params.responseCode, { required: true, hint: 'from the send result or the template_card_event callback' });
  const users = c.array('userids', params.userids, { max: Infinity });
  if (uniqueUserIds(users.map(String)).length > MAX_USERS) c.add('userids', `userids lists ${users.length} members; at most ${MAX_USERS}`);
  const parties = c.array('partyids', params.partyids, { max: MAX_PARTIES, what: 'departments' });
  const tags = c.array('tagids', params.tagids, { max: MAX_TAGS, what: 'tags' });
  for (const [path, list] of [['partyids', parties], ['tagids', tags]] as const) {
    list.forEach((id, i) => {
      if (!Number.isInteger(id) || (id as number) < 1) c.add(`${path}[${i}]`, `${path}[${i}] ${JSON.stringify(id)} is not a positive integer`);
    });
  }
  if ((params.button === undefined) === (params.card === undefined)) {
    c.add('button', 'give exactly one of button (replace the clicked button\'s label) or card (replace the whole card)');
  }
  if (params.button !== undefined && c.isObject('button', params.button)) {
    c.string('button.replace_name', params.button.replaceName, { required: true });
  }
  if (params.card !== undefined) checkTemplateCard(c, 'template_card', params.card);
  c.throwIfAny('updateTemplateCard');

  const body: Record<string, unknown> = { agentid: agentId, response_code: params.responseCode };
  if (users.length) body.userids = uniqueUserIds(users.map(String));
  if (parties.length) body.partyids = parties;
  if (tags.length) body.tagids = tags;
  if (params.atAll !== undefined) body.atall = params.atAll ? 1 : 0;
  if (params.enableIdTrans !== undefined) body.enable_id_trans = params.enableIdTrans ? 1 : 0;
  if (params.button) body.button = { replace_name: params.button.replaceName };
  if (params.card) body.template_card = params.card;
  return body;
}

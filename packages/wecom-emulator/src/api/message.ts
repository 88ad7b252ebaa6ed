/**
 * Application messages (wecom-protocol.md §3): message/send, message/recall, message/update_template_card.
 * message/send checks in the order of §3.4; per-member limits and the duplicate check drop silently with
 * errcode 0 (§3.1, §5) and record the drop in the inbox; the app's daily quota (seat limit × 200 person-times)
 * answers 45009.
 */
import type { AppConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { EmulatorState, InboxMessage, SentMessage } from '../state/index.ts';
import { Inbox, type DropReason } from '../state/inbox.ts';
import { APP_MSGTYPES, validateContent, validateTemplateCard } from './content.ts';
import type { ApiContext, ApiRoute } from './pipeline.ts';
import { resolveRecipients, splitIds } from './recipients.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The calling app; a contact-sync token may not send messages (48002). */
export function requireApp(ctx: ApiContext): AppConfig {
  if (!ctx.app) throw new ApiError(48002);
  return ctx.app;
}

/** agentid: present (41011, configurable 40056), an integer of a known app (40056), the token's own app (301002). */
export function checkAgentId(ctx: ApiContext, value: unknown): AppConfig {
  const app = requireApp(ctx);
  if (value === undefined || value === null) throw new ApiError(ctx.state.config.behaviour.missingAgentIdErrcode);
  if (typeof value !== 'number' || !Number.isInteger(value) || !ctx.state.app(value)) throw new ApiError(40056);
  if (value !== app.agentId) throw new ApiError(301002);
  return app;
}

/** JSON with sorted keys, so two identical requests compare equal whatever their key order (duplicate check). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function invalidLists(state: EmulatorState, lists: { invaliduser: string[]; invalidparty: string[]; invalidtag: string[] }): Record<string, string> {
  const result: Record<string, string> = {};
  const omit = state.config.behaviour.emptyInvalidLists === 'omit';
  for (const [field, ids] of Object.entries(lists)) if (!omit || ids.length > 0) result[field] = ids.join('|');
  return result;
}

function send(ctx: ApiContext) {
  const { state } = ctx;
  const body = ctx.body as Record<string, unknown>;
  requireApp(ctx);

  // §3.4 step 3: msgtype.
  const msgtype = body.msgtype;
  if (typeof msgtype !== 'string' || !(APP_MSGTYPES as readonly string[]).includes(msgtype)) throw new ApiError(40008);

  // Step 4: agentid (not used by miniprogram_notice, §3.2).
  const app = msgtype === 'miniprogram_notice' ? requireApp(ctx) : checkAgentId(ctx, body.agentid);

  // Step 5: list sizes — touser ≤1000 (40032), toparty ≤100 (82002), totag ≤100 (82003).
  const lists = { users: splitIds(body.touser, 'touser'), parties: splitIds(body.toparty, 'toparty'), tags: splitIds(body.totag, 'totag') };
  if (lists.users.length > 1000) throw new ApiError(40032);
  if (lists.parties.length > 100) throw new ApiError(82002);
  if (lists.tags.length > 100) throw new ApiError(82003);
  // Step 6: nobody named at all.
  if (lists.users.length === 0 && lists.parties.length === 0 && lists.tags.length === 0) throw new ApiError(82001);
  if (msgtype === 'miniprogram_notice' && lists.users.includes('@all')) throw new ApiError(40031);

  // Step 7: the body.
  const validated = validateContent(msgtype, body[msgtype], {
    media: state.media,
    behaviour: state.config.behaviour,
    miniprogramAppIds: app.miniprogramAppIds,
    safe: body.safe,
  });

  // Step 8: recipients.
  const resolved = resolveRecipients(state, app, lists);
  const invalid = invalidLists(state, { invaliduser: resolved.invaliduser, invalidparty: resolved.invalidparty, invalidtag: resolved.invalidtag });
  if (!resolved.anyValid) throw new ApiError(81013, { extra: invalid });

  // Step 9: duplicate check, then per-member limits. Both drop silently: the API still answers 0.
  const now = state.clock.now();
  const duplicateKey = body.enable_duplicate_check === 1 ? `${app.agentId}:${canonicalJson(body)}` : undefined;
  let duplicateOf: string | undefined;
  if (duplicateKey) {
    // duplicate_check_interval: default 1800 s, at most 4 h (§3.1).
    const interval = typeof body.duplicate_check_interval === 'number' ? Math.min(Math.max(body.duplicate_check_interval, 0), 14_400) : 1800;
    const previous = state.duplicates.get(duplicateKey);
    if (previous && previous.at + interval * 1000 > now) duplicateOf = previous.msgid;
  }

  // §5: the app's messages per natural day, seat limit × 200 person-times (a send to 1,000 members counts 1,000).
  // Beyond it, 45009 [U: §12.6] until the day ends; a repeat dropped by the duplicate check reaches nobody.
  if (!duplicateOf && state.quotas.daily.tryTake(String(app.agentId), resolved.users.length) !== -1) throw new ApiError(45009);

  // A dropped duplicate answers with the first message's msgid [U]: that is what a retry should learn.
  const msgid = duplicateOf ?? Inbox.newMsgid();
  if (duplicateKey && !duplicateOf) state.duplicates.set(duplicateKey, { msgid, at: now });
  const sent: SentMessage = duplicateOf
    ? state.inbox.sent(duplicateOf)!
    : { msgid, agentId: app.agentId, msgtype, content: validated.content, sentAt: now, recipients: [], recalled: false };
  if (!duplicateOf && validated.needsResponseCode) sent.responseCode = state.inbox.issueResponseCode(msgid, app.agentId, null);

  const items: InboxMessage[] = resolved.users.map((user) => {
    let dropReason: DropReason | undefined = duplicateOf ? 'duplicate' : undefined;
    if (!dropReason) {
      const full = state.quotas.member.tryTake(`${app.agentId}:${user.userid.toLowerCase()}`);
      if (full === 0) dropReason = 'member_minute_limit';
      if (full === 1) dropReason = 'member_hour_limit';
    }
    if (!dropReason) sent.recipients.push(user.userid);
    return {
      msgid,
      userid: user.userid,
      agentId: app.agentId,
      msgtype,
      content: structuredClone(validated.content),
      sentAt: now,
      status: dropReason ? 'dropped' : 'delivered',
      ...(dropReason ? { dropReason } : {}),
      ...(sent.responseCode && !duplicateOf ? { responseCode: sent.responseCode } : {}),
      ...(msgtype === 'template_card' ? { card: { template_card: structuredClone(validated.content) } } : {}),
      ...(typeof body.safe === 'number' ? { safe: body.safe } : {}),
    };
  });
  if (duplicateOf) state.inbox.addItems(items);
  else state.inbox.record(sent, items);
  state.emit({ type: 'message.sent', sent, items });

  return {
    ...invalid,
    ...(state.config.behaviour.emptyInvalidLists === 'omit' ? {} : { unlicenseduser: '' }),
    msgid,
    ...(sent.responseCode ? { response_code: sent.responseCode } : {}),
  };
}

function recall(ctx: ApiContext) {
  const { state } = ctx;
  const app = requireApp(ctx);
  const { msgid } = ctx.body as Record<string, unknown>;
  if (typeof msgid !== 'string' || msgid === '') throw new ApiError(40058, { text: 'invalid Request Parameter, msgid is required' });
  const sent = state.inbox.sent(msgid);
  // §3.5: recalling another app's message → 40058; only message/send messages (not appchat).
  if (!sent || sent.agentId !== app.agentId || sent.chatid !== undefined) throw new ApiError(40058, { text: 'invalid Request Parameter, msgid not found' });
  // §3.5: only within 24 h → 42052.
  if (state.clock.now() - sent.sentAt > 24 * 3600_000) throw new ApiError(42052);
  if (!sent.recalled) {
    state.inbox.recall(msgid);
    state.emit({ type: 'message.recalled', msgid });
  }
  return {};
}

function idArray(value: unknown, field: string, max: number, sizeErrcode: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError(40058, { text: `invalid Request Parameter, ${field} must be an array` });
  if (value.length > max) throw new ApiError(sizeErrcode);
  return value.map((v) => String(v).trim());
}

function updateTemplateCard(ctx: ApiContext) {
  const { state } = ctx;
  const body = ctx.body as Record<string, unknown>;
  const app = checkAgentId(ctx, body.agentid);

  // §3.6: recipients are arrays here; userids ≤1000, partyids/tagids ≤100.
  const userids = idArray(body.userids, 'userids', 1000, 40032);
  const partyids = idArray(body.partyids, 'partyids', 100, 82002);
  const tagids = idArray(body.tagids, 'tagids', 100, 82003);

  let update: { replaceName: string } | { template_card: Record<string, unknown> };
  if (body.template_card !== undefined) {
    update = { template_card: validateTemplateCard(body.template_card, state.config.behaviour).content };
  } else if (isObject(body.button) && typeof body.button.replace_name === 'string' && body.button.replace_name !== '') {
    update = { replaceName: body.button.replace_name };
  } else {
    throw new ApiError(40058, { text: 'invalid Request Parameter, give button.replace_name or template_card' });
  }

  // The request is well-formed: now use the response_code (single use, 72 h, this app's) → else 60140.
  if (typeof body.response_code !== 'string' || body.response_code === '') throw new ApiError(60140);
  const taken = state.inbox.takeResponseCode(body.response_code, app.agentId);
  if (!taken.ok) throw new ApiError(60140);
  const sent = state.inbox.sent(taken.record.msgid);
  if (!sent) throw new ApiError(60140);

  const inMessage = new Map(sent.recipients.map((u) => [u.toLowerCase(), u]));
  let targets: string[];
  const invaliduser: string[] = [];
  if (body.atall === 1) {
    targets = [...inMessage.values()];
  } else {
    const wanted = new Set<string>();
    for (const userid of userids) {
      if (inMessage.has(userid.toLowerCase())) wanted.add(inMessage.get(userid.toLowerCase())!);
      else invaliduser.push(userid.toLowerCase());
    }
    for (const party of partyids) {
      for (const user of state.directory.usersInDepartment(Number(party), true)) if (inMessage.has(user.userid.toLowerCase())) wanted.add(user.userid);
    }
    for (const tagid of tagids) {
      for (const userid of state.directory.tag(Number(tagid))?.userlist ?? []) {
        if (inMessage.has(userid.toLowerCase())) wanted.add(inMessage.get(userid.toLowerCase())!);
      }
    }
    const named = userids.length + partyids.length + tagids.length > 0;
    // A code from a member's click updates that member's card when no target is named.
    if (!named && taken.record.userid !== null) wanted.add(taken.record.userid);
    if (!named && wanted.size === 0) throw new ApiError(82101);
    if (named && wanted.size === 0) throw new ApiError(82102, { extra: { invaliduser } });
    targets = [...wanted];
  }

  state.inbox.updateCard(sent.msgid, targets, update);
  state.emit({ type: 'card.updated', msgid: sent.msgid, userids: targets });
  // §12.7: the response's invaliduser shape is unconfirmed; an array, as in D-94945's example.
  return { invaliduser };
}

export const messageRoutes: ApiRoute[] = [
  { method: 'POST', path: '/cgi-bin/message/send', auth: 'access_token', handle: send },
  { method: 'POST', path: '/cgi-bin/message/recall', auth: 'access_token', handle: recall },
  { method: 'POST', path: '/cgi-bin/message/update_template_card', auth: 'access_token', zero: { invaliduser: [] }, handle: updateTemplateCard },
];

/**
 * App group chats (wecom-protocol.md §9.1): appchat/create, get, update, send. Only for apps whose visible
 * range is the root department (48002 otherwise); a chat belongs to the app that created it (86008).
 * Messages sent to a chat land in each member's inbox with its chatid.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../errors.ts';
import type { AppChat, InboxMessage, SentMessage } from '../state/index.ts';
import { Inbox } from '../state/inbox.ts';
import { CHAT_MSGTYPES, validateContent } from './content.ts';
import { requireApp } from './message.ts';
import type { ApiContext, ApiRoute } from './pipeline.ts';

const CHATID = /^[0-9a-zA-Z]{1,32}$/;

function chatApp(ctx: ApiContext) {
  const app = requireApp(ctx);
  if (!ctx.state.seesWholeCompany(app)) throw new ApiError(48002);
  return app;
}

/** Userids must be members (86007); returns them spelled as in the directory, without duplicates. */
function members(ctx: ApiContext, value: unknown): string[] {
  if (!Array.isArray(value)) throw new ApiError(86007);
  const result = new Map<string, string>();
  for (const id of value) {
    const user = typeof id === 'string' ? ctx.state.directory.user(id) : undefined;
    if (!user) throw new ApiError(86007);
    result.set(user.userid.toLowerCase(), user.userid);
  }
  return [...result.values()];
}

function ownChat(ctx: ApiContext, agentId: number, chatid: unknown): AppChat {
  if (typeof chatid !== 'string' || chatid === '') throw new ApiError(86201);
  const chat = ctx.state.chats.get(chatid);
  if (!chat) throw new ApiError(86003);
  if (chat.agentId !== agentId) throw new ApiError(86008);
  return chat;
}

export const appchatRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/cgi-bin/appchat/create',
    auth: 'access_token',
    handle(ctx) {
      const app = chatApp(ctx);
      const body = ctx.body as Record<string, unknown>;
      const userlist = members(ctx, body.userlist);
      // 1,000 chats a day per corp (§5).
      if (ctx.state.quotas.chatCreate.tryTake('corp') !== -1) throw new ApiError(45009);
      // 2–2000 members (86006).
      if (userlist.length < 2 || userlist.length > 2000) throw new ApiError(86006);
      if (body.name !== undefined && typeof body.name !== 'string') throw new ApiError(86004);
      let owner: string;
      if (body.owner !== undefined && body.owner !== '') {
        const user = typeof body.owner === 'string' ? ctx.state.directory.user(body.owner) : undefined;
        if (!user) throw new ApiError(86005);
        if (!userlist.some((u) => u.toLowerCase() === user.userid.toLowerCase())) throw new ApiError(86207);
        owner = user.userid;
      } else {
        // Owner optional: WeCom picks a random member.
        owner = userlist[Math.floor(Math.random() * userlist.length)]!;
      }
      let chatid: string;
      if (body.chatid !== undefined && body.chatid !== '') {
        if (typeof body.chatid !== 'string' || !CHATID.test(body.chatid)) throw new ApiError(86001);
        if (ctx.state.chats.has(body.chatid)) throw new ApiError(86215);
        chatid = body.chatid;
      } else {
        chatid = randomBytes(16).toString('hex');
      }
      // name ≤50 characters, longer names truncated (§9.1).
      const name = typeof body.name === 'string' ? [...body.name].slice(0, 50).join('') : '';
      ctx.state.chats.set(chatid, { chatid, name, owner, userlist, chat_type: 0, agentId: app.agentId });
      return { chatid };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/appchat/get',
    auth: 'access_token',
    handle(ctx) {
      const app = chatApp(ctx);
      const chat = ownChat(ctx, app.agentId, ctx.query.chatid);
      return { chat_info: { chatid: chat.chatid, name: chat.name, owner: chat.owner, userlist: [...chat.userlist], chat_type: chat.chat_type } };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/appchat/update',
    auth: 'access_token',
    handle(ctx) {
      const app = chatApp(ctx);
      const body = ctx.body as Record<string, unknown>;
      const chat = ownChat(ctx, app.agentId, body.chatid);
      // 1,000 updates an hour per corp (§5).
      if (ctx.state.quotas.chatUpdate.tryTake('corp') !== -1) throw new ApiError(45009);
      const add = body.add_user_list === undefined ? [] : members(ctx, body.add_user_list);
      const remove = new Set((body.del_user_list === undefined ? [] : members(ctx, body.del_user_list)).map((u) => u.toLowerCase()));
      const next = [...chat.userlist, ...add.filter((u) => !chat.userlist.some((m) => m.toLowerCase() === u.toLowerCase()))].filter(
        (u) => !remove.has(u.toLowerCase()),
      );
      if (next.length < 2 || next.length > 2000) throw new ApiError(86006);
      let owner = chat.owner;
      if (body.owner !== undefined && body.owner !== '') {
        const user = typeof body.owner === 'string' ? ctx.state.directory.user(body.owner) : undefined;
        if (!user) throw new ApiError(86005);
        owner = user.userid;
      }
      if (!next.some((u) => u.toLowerCase() === owner.toLowerCase())) throw new ApiError(86207);
      if (body.name !== undefined && typeof body.name !== 'string') throw new ApiError(86004);
      if (typeof body.name === 'string') chat.name = [...body.name].slice(0, 50).join('');
      chat.owner = owner;
      chat.userlist = next;
      return {};
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/appchat/send',
    auth: 'access_token',
    handle(ctx) {
      const app = chatApp(ctx);
      const body = ctx.body as Record<string, unknown>;
      const chat = ownChat(ctx, app.agentId, body.chatid);
      const msgtype = body.msgtype;
      if (typeof msgtype !== 'string' || !(CHAT_MSGTYPES as readonly string[]).includes(msgtype)) throw new ApiError(40008);
      const { content } = validateContent(msgtype, body[msgtype], { media: ctx.state.media, behaviour: ctx.state.config.behaviour, safe: body.safe });
      // §5: 20,000 person-times a minute and 300,000 an hour per corp (a group of 100 counts 100), then blocked.
      if (ctx.state.quotas.chatSend.tryTake('corp', chat.userlist.length) !== -1) throw new ApiError(45009);
      const now = ctx.state.clock.now();
      const msgid = Inbox.newMsgid();
      const sent: SentMessage = { msgid, agentId: null, msgtype, content, sentAt: now, recipients: [], chatid: chat.chatid, recalled: false };
      const items: InboxMessage[] = chat.userlist.map((userid) => {
        // Per member: 200 a minute and 10,000 a day; beyond, dropped silently like the app messages (§5).
        const full = ctx.state.quotas.chatMember.tryTake(userid.toLowerCase());
        const dropReason = full === 0 ? ('chat_member_minute_limit' as const) : full === 1 ? ('chat_member_day_limit' as const) : undefined;
        if (!dropReason) sent.recipients.push(userid);
        return {
          msgid,
          userid,
          agentId: null,
          msgtype,
          content: structuredClone(content),
          sentAt: now,
          status: dropReason ? 'dropped' : 'delivered',
          ...(dropReason && { dropReason }),
          chatid: chat.chatid,
        };
      });
      ctx.state.inbox.record(sent, items);
      ctx.state.emit({ type: 'message.sent', sent, items });
      return {};
    },
  },
];

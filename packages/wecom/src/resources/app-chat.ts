/**
 * App group chats, `appchat/*` (wecom-protocol.md §9.1). Only apps whose visible range is the root department may
 * use them (48002 otherwise), and only for chats they created (86008).
 */
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';
import type { Message } from '../messages/types.ts';
import { checkMessage } from '../messages/validate.ts';

export interface CreateChatParams {
  /** ≤50 characters (WeCom truncates). */
  name?: string;
  /** A member of userList; WeCom picks one at random when absent. */
  owner?: string;
  /** 2–2000 members. */
  userList: readonly string[];
  /** ≤32 characters of 0-9, a-z, A-Z, unique in the corp; WeCom makes one up when absent. */
  chatId?: string;
}

export interface UpdateChatParams {
  chatId: string;
  name?: string;
  owner?: string;
  addUserList?: readonly string[];
  delUserList?: readonly string[];
}

export interface ChatInfo {
  chatid: string;
  name: string;
  owner: string;
  userlist: string[];
  /** 0 normal group, 1 class group. */
  chat_type?: number;
}

const CHAT_ID = /^[0-9A-Za-z]{1,32}$/;
type Signal = { signal?: AbortSignal };

export class AppChatApi {
  readonly #api: ApiCaller;

  constructor(api: ApiCaller) {
    this.#api = api;
  }

  /**
   * `POST /cgi-bin/appchat/create` → the chatid. Not retried after an unknown outcome: without a chatid a repeat
   * would create a second group.
   */
  async create(params: CreateChatParams, options: Signal = {}): Promise<string> {
    const c = new Checker();
    if (c.isObject('params', params)) {
      c.string('name', params.name, { maxChars: 50 });
      c.string('owner', params.owner);
      const users = c.array('userlist', params.userList, { min: 2, max: 2000, what: 'members' });
      users.forEach((u, i) => c.string(`userlist[${i}]`, u, { required: true, maxBytes: 64 }));
      if (typeof params.owner === 'string' && users.length > 0 && !users.some((u) => String(u).toLowerCase() === params.owner!.toLowerCase())) {
        c.add('owner', `owner "${params.owner}" must be one of userList`);
      }
      checkChatId(c, params.chatId, false);
    }
    c.throwIfAny('appchat create');
    const r = await this.#api.call<WeComResponse & { chatid: string }>({
      method: 'POST',
      path: '/cgi-bin/appchat/create',
      body: dropUndefined({ name: params.name, owner: params.owner, userlist: params.userList, chatid: params.chatId }),
      retry: 'once-only',
      quotas: ['chat-create:corp'], // 1,000 a day per corp (§5)
      signal: options.signal,
    });
    return r.chatid;
  }

  /** `GET /cgi-bin/appchat/get?chatid=`. */
  async get(chatId: string, options: Signal = {}): Promise<ChatInfo> {
    const c = new Checker();
    checkChatId(c, chatId, true);
    c.throwIfAny('appchat get');
    const r = await this.#api.call<WeComResponse & { chat_info: ChatInfo }>({ method: 'GET', path: '/cgi-bin/appchat/get', query: { chatid: chatId }, signal: options.signal });
    return r.chat_info;
  }

  /** `POST /cgi-bin/appchat/update`: rename, change owner, add or remove members (a repeat sets the same state). */
  async update(params: UpdateChatParams, options: Signal = {}): Promise<void> {
    const c = new Checker();
    if (c.isObject('params', params)) {
      checkChatId(c, params.chatId, true);
      c.string('name', params.name, { maxChars: 50 });
      c.string('owner', params.owner);
      c.array('add_user_list', params.addUserList, { max: 2000 });
      c.array('del_user_list', params.delUserList, { max: 2000 });
      if (params.name === undefined && params.owner === undefined && !params.addUserList?.length && !params.delUserList?.length) {
        c.add('params', 'nothing to update: set name, owner, addUserList or delUserList');
      }
    }
    c.throwIfAny('appchat update');
    await this.#api.call({
      method: 'POST',
      path: '/cgi-bin/appchat/update',
      body: dropUndefined({ chatid: params.chatId, name: params.name, owner: params.owner, add_user_list: params.addUserList, del_user_list: params.delUserList }),
      retry: 'idempotent',
      quotas: ['chat-update:corp'], // 1,000 an hour per corp (§5)
      signal: options.signal,
    });
  }

  /**
   * `POST /cgi-bin/appchat/send`: a message to the group (no agentid). WeCom has no duplicate check here, so a send
   * whose outcome is unknown is never retried. It counts the group's size against the corp's 20,000 person-times a
   * minute (§5): give `memberCount` (the group's size; `get` tells it), else it counts as one.
   */
  async send(chatId: string, message: Message, options: { safe?: 0 | 1; memberCount?: number } & Signal = {}): Promise<void> {
    const c = new Checker();
    checkChatId(c, chatId, true);
    checkMessage(c, message, 'appchat/send');
    c.oneOf('safe', options.safe, [0, 1]);
    if (options.memberCount !== undefined && (!Number.isInteger(options.memberCount) || options.memberCount < 1 || options.memberCount > 2000)) {
      c.add('memberCount', `memberCount is ${String(options.memberCount)}; a group has 2–2000 members`);
    }
    c.throwIfAny();
    const body: Record<string, unknown> = { chatid: chatId, msgtype: message.msgtype, [message.msgtype]: (message as Record<string, unknown>)[message.msgtype] };
    if (options.safe !== undefined) body.safe = options.safe;
    await this.#api.call({
      method: 'POST',
      path: '/cgi-bin/appchat/send',
      body,
      retry: 'once-only',
      quotas: [{ quota: 'chat-send:corp', units: options.memberCount ?? 1 }],
      signal: options.signal,
    });
  }
}

function checkChatId(c: Checker, chatId: unknown, required: boolean): void {
  if (c.string('chatid', chatId, { required }) && !CHAT_ID.test(chatId)) {
    c.add('chatid', `chatid "${chatId}" must be 1–32 characters of 0-9, a-z and A-Z`);
  }
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * Fastify plugin: the member console under /console/ — pick a member, see their app inbox as the phone shows
 * it, tap card buttons, message the app, enter it, edit the directory, watch callback deliveries.
 *
 *   GET  /console/                          the page (?userid= &lang=zh|en)
 *   GET  /console/assets/console.{js,css}   the page's script and style (public/)
 *   GET  /console/fragments/{conversation,members,log}   parts of the page, re-fetched on change
 *   GET  /console/events                    server-sent events: {"scope":"inbox"|"log"|"directory", userids?}
 *   POST /console/api/members/:userid/messages         {"content"} → a text message callback
 *   POST /console/api/members/:userid/enter            → enter_agent
 *   POST /console/api/members/:userid/cards/:msgid/actions   {"action","key","selectedItems"} → template_card(_menu)_event
 *   POST /console/api/directory/users                  {"userid","name","alias","department"} → create_user
 *   PATCH /console/api/directory/users/:userid         {"name"} or {"active": bool} → update_user
 *   DELETE /console/api/directory/users/:userid        → delete_user
 *   POST /console/api/verify                           URL verification (§6.2)
 *
 * Actions answer JSON: `{"delivery": record}` (null without a callback URL, for directory edits) or
 * `{"error": "…"}` with a 4xx. Directory edits go through `state.changeContacts('console', …)`, which makes the
 * callback service send change_contact (§6.10).
 */
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CallbackEventError } from '../callbacks/events.ts';
import { callbackService } from '../callbacks/service.ts';
import { CallbackNotConfiguredError, DirectoryError, type EmulatorState } from '../state/index.ts';
import { USERID_PATTERN } from '../state/directory.ts';
import { CardActionError, cardActionEvent, parseCardAction } from './card-actions.ts';
import { messagesFor, pickLang } from './i18n.ts';
import { renderConversation, renderLog, renderMemberList, renderPage, type ViewContext } from './views.ts';

export interface ConsolePluginOptions {
  state: EmulatorState;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  'console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  'console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

/**
 * The page only loads its own script and style; inline scripts are refused, so even a rendering mistake could
 * not run message content as code.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

type Params = { userid: string; msgid: string };
type Query = { userid?: string; lang?: string };

export const consolePlugin: FastifyPluginAsync<ConsolePluginOptions> = async (app, { state }) => {
  const callbacks = callbackService(state);
  const assets = new Map(
    Object.entries(ASSETS).map(([name, { file, type }]) => [name, { type, body: readFileSync(new URL(`../../public/${file}`, import.meta.url), 'utf8') }]),
  );

  const view = (request: FastifyRequest): ViewContext => {
    const query = request.query as Query;
    const cookie = /(?:^|;\s*)console_lang=(zh|en)/.exec(request.headers.cookie ?? '')?.[1];
    const lang = pickLang(query.lang ?? cookie);
    return { state, callbacks, lang, t: messagesFor(lang) };
  };
  const htmlReply = (reply: FastifyReply, body: string) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', CSP).send(body);

  app.get('/console', (request, reply) => reply.redirect(`/console/${request.url.slice('/console'.length)}`));
  app.get<{ Querystring: Query }>('/console/', (request, reply) => htmlReply(reply, renderPage(view(request), request.query.userid)));
  app.get<{ Params: { name: string } }>('/console/assets/:name', (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: `no console asset "${request.params.name}"` });
    return reply.header('content-type', asset.type).header('cache-control', 'no-cache').send(asset.body);
  });
  app.get<{ Querystring: Query }>('/console/fragments/conversation', (request, reply) =>
    htmlReply(reply, renderConversation(view(request), request.query.userid).value),
  );
  app.get<{ Querystring: Query }>('/console/fragments/members', (request, reply) => htmlReply(reply, renderMemberList(view(request), request.query.userid).value));
  app.get('/console/fragments/log', (request, reply) => htmlReply(reply, renderLog(view(request)).value));

  // ── live updates ─────────────────────────────────────────────────────────────────────────────────────────
  const streams = new Set<() => void>();
  app.get('/console/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const send = (data: { scope: 'inbox' | 'log' | 'directory'; userids?: string[] }) => res.write(`event: change\ndata: ${JSON.stringify(data)}\n\n`);
    const offState = state.on((event) => {
      if (event.type === 'message.sent') send({ scope: 'inbox', userids: event.items.map((i) => i.userid) });
      else if (event.type === 'card.updated') send({ scope: 'inbox', userids: event.userids });
      else if (event.type === 'message.recalled') send({ scope: 'inbox' });
      else if (event.type === 'contact.changed') send({ scope: 'directory' });
      else if (event.type === 'reset') {
        send({ scope: 'directory' });
        send({ scope: 'inbox' });
        send({ scope: 'log' });
      }
    });
    const offLog = callbacks.deliverer.subscribe((record) => send({ scope: 'log', ...(record.kind === 'delivery' ? { userids: [record.userid] } : {}) }));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const stop = () => {
      offState();
      offLog();
      clearInterval(ping);
      streams.delete(end);
    };
    const end = () => {
      stop();
      res.end();
    };
    streams.add(end);
    request.raw.on('close', stop);
  });
  // Open event streams would keep the server from closing.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  // ── member actions ───────────────────────────────────────────────────────────────────────────────────────
  const member = (userid: string) => {
    const user = state.directory.user(userid);
    if (!user) throw new ConsoleError(404, `no member with userid "${userid}"`);
    return user;
  };

  app.post<{ Params: Params }>('/console/api/members/:userid/messages', (request, reply) =>
    act(reply, async () => {
      const user = member(request.params.userid);
      const content = (request.body as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || content.trim() === '') throw new ConsoleError(400, '"content" must be a non-empty message');
      return { delivery: await callbacks.send({ type: 'text', fromUserName: user.userid, content }) };
    }),
  );

  app.post<{ Params: Params }>('/console/api/members/:userid/enter', (request, reply) =>
    act(reply, async () => {
      const user = member(request.params.userid);
      return { delivery: await callbacks.send({ type: 'enter_agent', fromUserName: user.userid, eventKey: '' }) };
    }),
  );

  app.post<{ Params: Params }>('/console/api/members/:userid/cards/:msgid/actions', (request, reply) =>
    act(reply, async () => {
      const user = member(request.params.userid);
      const item = state.inbox.item(request.params.msgid, user.userid);
      if (!item) throw new ConsoleError(404, `${user.userid} has no message ${request.params.msgid}`);
      const action = parseCardAction(request.body);
      // WeCom only lets apps with a callback URL send interactive cards (§3.2): without one a click has nowhere to go.
      if (!callbacks.configured) {
        throw new ConsoleError(409, 'no callback URL is configured, so a card click cannot reach the app: start the emulator with --callback-url');
      }
      return { delivery: await callbacks.send(cardActionEvent(state, item, action)) };
    }),
  );

  // ── directory edits ──────────────────────────────────────────────────────────────────────────────────────
  const contactResult = async (change: unknown) => ({ change, delivery: (await callbacks.takeContactDelivery()) ?? null });

  app.post('/console/api/directory/users', (request, reply) =>
    act(reply, async () => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const userid = typeof body.userid === 'string' ? body.userid.trim() : '';
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      const alias = typeof body.alias === 'string' ? body.alias.trim() : '';
      const department = Number(body.department ?? 1);
      // userid rules and errcode texts of user/create (§8, §1.11)
      if (!USERID_PATTERN.test(userid)) throw new ConsoleError(400, 'userid: 1-64 characters of 0-9 A-Z a-z _ - @ . starting with a letter or digit');
      if (state.directory.user(userid)) throw new ConsoleError(409, `userid "${userid}" is already taken (userids are case-insensitive)`);
      if (name === '') throw new ConsoleError(400, 'name must not be empty');
      if (!state.directory.department(department)) throw new ConsoleError(400, `department ${department} does not exist`);
      const change = state.changeContacts('console', (d) =>
        d.createUser({ userid, name, department: [department], main_department: department, ...(alias ? { alias } : {}) }),
      );
      return contactResult(change);
    }),
  );

  app.patch<{ Params: Params }>('/console/api/directory/users/:userid', (request, reply) =>
    act(reply, async () => {
      const user = member(request.params.userid);
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (typeof body.name === 'string') {
        const name = body.name.trim();
        if (name === '') throw new ConsoleError(400, 'name must not be empty');
        return contactResult(state.changeContacts('console', (d) => d.updateUser(user.userid, { name })));
      }
      if (typeof body.active === 'boolean') {
        // status 1 active, 2 disabled (§8)
        return contactResult(state.changeContacts('console', (d) => d.updateUser(user.userid, { status: body.active ? 1 : 2 })));
      }
      throw new ConsoleError(400, 'send {"name": "新名字"} to rename or {"active": false} to deactivate');
    }),
  );

  app.delete<{ Params: Params }>('/console/api/directory/users/:userid', (request, reply) =>
    act(reply, async () => {
      const user = member(request.params.userid);
      return contactResult(state.changeContacts('console', (d) => d.deleteUser(user.userid)));
    }),
  );

  app.post('/console/api/verify', (_request, reply) => act(reply, async () => ({ verification: await callbacks.verifyUrl() })));
};

/** A console request that cannot be done; `status` is the HTTP status. */
class ConsoleError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function act(reply: FastifyReply, run: () => Promise<unknown>): Promise<FastifyReply> {
  try {
    return reply.header('cache-control', 'no-store').send(await run());
  } catch (error) {
    if (error instanceof ConsoleError || error instanceof CardActionError) return reply.code(error.status).send({ error: error.message });
    if (error instanceof CallbackEventError || error instanceof DirectoryError) return reply.code(400).send({ error: error.message });
    if (error instanceof CallbackNotConfiguredError) return reply.code(409).send({ error: error.message });
    throw error;
  }
}

export default consolePlugin;

/**
 * The OAuth pages (wecom-protocol.md §7.1, §7.2), with WeCom's query parameters:
 *
 *   GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state&agentid   (in-client)
 *   GET /wwlogin/sso/login?login_type=CorpApp&appid&agentid&redirect_uri&state&lang           (web login)
 *   GET /wwopen/sso/qrConnect?appid&agentid&redirect_uri&state                                (legacy web login)
 *
 * Each validates its parameters, shows "以…身份登录 / Sign in as…" with the members, and on a choice (POST to the
 * same URL) redirects to redirect_uri with `code` and `state`. Web login can be cancelled: redirect without a code.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { EmulatorPluginOptions, EmulatorState } from '../state/index.ts';
import type { OAuthScope } from '../state/oauth.ts';

type Flow = 'authorize' | 'sso';

interface AuthorizeRequest {
  flow: Flow;
  redirectUri: URL;
  state: string;
  scope: OAuthScope;
  /** The app named by agentid (or the main app when the in-client URL names none). */
  app: AppConfig;
  /** Whether the URL named an agentid: the code is then bound to that app. */
  boundToApp: boolean;
}

class OAuthPageError extends Error {}

const SCOPES: OAuthScope[] = ['snsapi_base', 'snsapi_privateinfo', 'snsapi_userinfo'];

function first(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : String(one);
}

/** Checks the query as WeCom would; throws OAuthPageError with a message that says what to fix. */
function parseRequest(state: EmulatorState, flow: Flow, query: unknown): AuthorizeRequest {
  const { config } = state;
  const appid = first(query, 'appid');
  if (appid !== config.corpId) {
    throw new OAuthPageError(`appid must be the CorpID of this company (${config.corpId}); got ${JSON.stringify(appid ?? '')}`);
  }
  const rawRedirect = first(query, 'redirect_uri');
  let redirectUri: URL;
  try {
    redirectUri = new URL(rawRedirect ?? '');
  } catch {
    throw new OAuthPageError('redirect_uri must be an absolute, URL-encoded http:// or https:// URL');
  }
  if (redirectUri.protocol !== 'http:' && redirectUri.protocol !== 'https:') throw new OAuthPageError('redirect_uri must use http:// or https://');

  if (flow === 'authorize' && first(query, 'response_type') !== 'code') throw new OAuthPageError('response_type must be "code"');
  if (flow === 'sso') {
    const loginType = first(query, 'login_type');
    // Legacy qrConnect has no login_type; the 2023+ web login requires CorpApp for self-built apps (§7.2).
    if (loginType !== undefined && loginType !== 'CorpApp') throw new OAuthPageError('login_type must be "CorpApp" for a self-built app (ServiceApp is for third-party apps)');
  }
  let scope = (first(query, 'scope') ?? (flow === 'sso' ? 'snsapi_base' : undefined)) as OAuthScope | undefined;
  if (!scope || !SCOPES.includes(scope)) throw new OAuthPageError('scope must be snsapi_base or snsapi_privateinfo');

  const state_ = first(query, 'state') ?? '';
  if (Buffer.byteLength(state_) > 128) throw new OAuthPageError('state must be at most 128 bytes');

  const rawAgentId = first(query, 'agentid');
  let app: AppConfig | undefined;
  if (rawAgentId !== undefined && rawAgentId !== '') {
    app = /^\d+$/.test(rawAgentId) ? state.app(Number(rawAgentId)) : undefined;
    if (!app) throw new OAuthPageError(`agentid ${JSON.stringify(rawAgentId)} is not an app of this company`);
  } else if (flow === 'sso') {
    throw new OAuthPageError('agentid is required for web login');
  }
  // §7.1: snsapi_privateinfo without agentid is treated as snsapi_base.
  if (!app && scope === 'snsapi_privateinfo') scope = 'snsapi_base';
  const target = app ?? config.app;

  // §7.5: the redirect host (and port) must be one of the app's trusted domains, when configured.
  if (target.trustedDomains) {
    const host = redirectUri.host;
    if (!target.trustedDomains.some((domain) => domain.toLowerCase() === host.toLowerCase())) {
      throw new OAuthPageError(
        `redirect_uri ${redirectUri.host} is not a trusted domain (可信域名) of app ${target.agentId}; trusted: ${target.trustedDomains.join(', ')} (errcode 50001)`,
      );
    }
  }
  return { flow, redirectUri, state: state_, scope, app: target, boundToApp: app !== undefined };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f2f3f5;margin:0;color:#1f2329}
main{max-width:420px;margin:0 auto;padding:24px 16px}
h1{font-size:18px;margin:0 0 4px}p.sub{color:#646a73;margin:0 0 16px;font-size:13px}
ul{list-style:none;padding:0;margin:0;background:#fff;border-radius:8px;overflow:hidden}
li+li{border-top:1px solid #eef0f2}
button.member{all:unset;box-sizing:border-box;display:flex;width:100%;padding:12px 16px;cursor:pointer;gap:12px;align-items:center}
button.member:hover,button.member:focus{background:#e8f3ff}
.avatar{width:36px;height:36px;border-radius:6px;background:#3370ff;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600}
.name{font-weight:600}.meta{color:#646a73;font-size:12px}
.error{background:#fff;border-left:4px solid #f54a45;padding:16px;border-radius:8px}
.cancel{display:block;margin-top:16px;text-align:center;color:#646a73}
</style></head><body><main>${body}</main></body></html>`;
}

function chooser(state: EmulatorState, request: AuthorizeRequest, action: string): string {
  const { directory } = state;
  const members = directory
    .users()
    .filter((u) => u.status !== 2 && u.status !== 5)
    .sort((a, b) => a.userid.localeCompare(b.userid));
  const items = members
    .map((user) => {
      const department = directory.department(user.main_department ?? user.department[0]!);
      const meta = [user.alias, user.position, department ? `${department.name}${department.name_en ? ` ${department.name_en}` : ''}` : undefined].filter(Boolean).join(' · ');
      return `<li><form method="post" action="${escape(action)}"><input type="hidden" name="userid" value="${escape(user.userid)}">
<button class="member" type="submit" data-userid="${escape(user.userid)}"><span class="avatar">${escape([...user.name][0] ?? '?')}</span>
<span><span class="name">${escape(user.name)}</span><br><span class="meta">${escape(meta)}</span></span></button></form></li>`;
    })
    .join('\n');
  const appName = request.app.name ?? `app ${request.app.agentId}`;
  const cancel =
    request.flow === 'sso'
      ? `<form method="post" action="${escape(action)}"><input type="hidden" name="cancel" value="1"><button class="cancel" type="submit" style="all:unset;display:block;width:100%;text-align:center;margin-top:16px;color:#646a73;cursor:pointer">取消 Cancel</button></form>`
      : '';
  return page(
    '以…身份登录 Sign in as…',
    `<h1>以…身份登录 Sign in as…</h1>
<p class="sub">「${escape(appName)}」想获取你的身份 · "${escape(appName)}" wants to know who you are (${escape(request.redirectUri.host)})</p>
<ul>${items}</ul>${cancel}`,
  );
}

function errorPage(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .type('text/html; charset=utf-8')
    .send(page('授权失败 Authorization failed', `<div class="error"><h1>授权失败 Authorization failed</h1><p>${escape(message)}</p></div>`));
}

/** redirect_uri with code and state added to its own query (§7.1 example keeps `?action=get`). */
function redirectTarget(request: AuthorizeRequest, code: string | undefined): string {
  const target = new URL(request.redirectUri);
  if (code !== undefined) target.searchParams.set('code', code);
  target.searchParams.set('state', request.state);
  return target.toString();
}

export async function oauthPages(app: FastifyInstance, { state }: EmulatorPluginOptions): Promise<void> {
  const routes: { path: string; flow: Flow }[] = [
    { path: '/connect/oauth2/authorize', flow: 'authorize' },
    { path: '/wwlogin/sso/login', flow: 'sso' },
    { path: '/wwopen/sso/qrConnect', flow: 'sso' },
  ];
  for (const { path, flow } of routes) {
    app.get(path, (request: FastifyRequest, reply: FastifyReply) => {
      let parsed: AuthorizeRequest;
      try {
        parsed = parseRequest(state, flow, request.query);
      } catch (error) {
        if (error instanceof OAuthPageError) return errorPage(reply, error.message);
        throw error;
      }
      return reply.type('text/html; charset=utf-8').send(chooser(state, parsed, request.url));
    });

    app.post(path, (request: FastifyRequest, reply: FastifyReply) => {
      let parsed: AuthorizeRequest;
      try {
        parsed = parseRequest(state, flow, request.query);
      } catch (error) {
        if (error instanceof OAuthPageError) return errorPage(reply, error.message);
        throw error;
      }
      const form = (request.body ?? {}) as Record<string, unknown>;
      if (flow === 'sso' && form.cancel !== undefined) return reply.redirect(redirectTarget(parsed, undefined), 302);
      const user = typeof form.userid === 'string' ? state.directory.user(form.userid) : undefined;
      if (!user) return errorPage(reply, `choose a member of the directory (got ${JSON.stringify(form.userid ?? '')})`);
      const code = state.oauth.issueCode(user.userid, { agentId: parsed.boundToApp ? parsed.app.agentId : null, scope: parsed.scope });
      return reply.redirect(redirectTarget(parsed, code.code), 302);
    });
  }
}

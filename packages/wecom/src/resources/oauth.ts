/**
 * OAuth / SSO (wecom-protocol.md §7): the in-client authorize URL, the browser (QR) login URL, and the code →
 * identity exchange. URLs are built here; the exchange is one request each.
 */
import { randomInt } from 'node:crypto';
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';

export const DEFAULT_OAUTH_BASE_URL = 'https://open.weixin.qq.com';
export const DEFAULT_LOGIN_BASE_URL = 'https://login.work.weixin.qq.com';

/** §7.1: snsapi_base is silent (userid only); snsapi_privateinfo asks consent and yields a user_ticket. */
export type OAuthScope = 'snsapi_base' | 'snsapi_privateinfo';

export interface OAuthOptions {
  corpId: string;
  agentId: number;
  /** Host of the in-client authorize page; the emulator serves the same path. */
  oauthBaseUrl?: string;
  /** Host of the web-login (QR) page; the emulator serves the same path. */
  loginBaseUrl?: string;
}

export interface AuthorizeUrlParams {
  /** Where WeCom sends the member back with `?code=…&state=…`; its host must be a trusted domain of the app. */
  redirectUri: string;
  /** Per-request value you check on return (createState()); a-z, A-Z, 0-9, ≤128 bytes. */
  state: string;
  /** Default snsapi_base. */
  scope?: OAuthScope;
}

export interface WebLoginUrlParams {
  redirectUri: string;
  state: string;
  /** Page language. */
  lang?: 'zh' | 'en';
}

/** The code belonged to a member of the corp. */
export interface MemberIdentity {
  kind: 'member';
  userId: string;
  /** Only with scope snsapi_privateinfo for a member in the app's visible range; valid 1800 s. */
  userTicket?: string;
}

/** The code belonged to someone outside the corp. */
export interface OutsiderIdentity {
  kind: 'outsider';
  openId: string;
  /** Only when the visitor is a customer of the corp. */
  externalUserId?: string;
}

export type OAuthIdentity = MemberIdentity | OutsiderIdentity;

export interface UserDetail {
  userId: string;
  /** "0" unknown, "1" male, "2" female (a string, as WeCom sends it). */
  gender?: string;
  avatar?: string;
  qrCode?: string;
  mobile?: string;
  email?: string;
  bizMail?: string;
  address?: string;
}

/** §7.3: auth/getuserinfo answers `userid`/`openid`; the legacy user/getuserinfo `UserId`/`OpenId`. Both are read. */
interface GetUserInfoResponse extends WeComResponse {
  userid?: string;
  UserId?: string;
  openid?: string;
  OpenId?: string;
  user_ticket?: string;
  external_userid?: string;
}

interface GetUserDetailResponse extends WeComResponse {
  userid: string;
  gender?: string;
  avatar?: string;
  qr_code?: string;
  mobile?: string;
  email?: string;
  biz_mail?: string;
  address?: string;
}

/** §7.1: state is a-zA-Z0-9, at most 128 bytes. */
const STATE = /^[A-Za-z0-9]{0,128}$/;
const STATE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random `state` for one sign-in: 32 characters of a-z, A-Z, 0-9 (~190 bits), the alphabet WeCom allows. */
export function createState(length = 32): string {
  if (!Number.isInteger(length) || length < 16 || length > 128) throw new RangeError('state length must be 16–128');
  let state = '';
  for (let i = 0; i < length; i++) state += STATE_ALPHABET[randomInt(STATE_ALPHABET.length)];
  return state;
}

export class OAuthApi {
  readonly #api: ApiCaller;
  readonly #corpId: string;
  readonly #agentId: number;
  readonly #oauthBaseUrl: string;
  readonly #loginBaseUrl: string;

  constructor(api: ApiCaller, options: OAuthOptions) {
    this.#api = api;
    this.#corpId = options.corpId;
    this.#agentId = options.agentId;
    this.#oauthBaseUrl = baseUrl('oauthBaseUrl', options.oauthBaseUrl ?? DEFAULT_OAUTH_BASE_URL);
    this.#loginBaseUrl = baseUrl('loginBaseUrl', options.loginBaseUrl ?? DEFAULT_LOGIN_BASE_URL);
  }

  /** A fresh random state (see createState). */
  createState(): string {
    return createState();
  }

  /**
   * The in-client authorization URL (§7.1), to open inside WeCom. agentid is always included: snsapi_privateinfo
   * requires it, and WeCom recommends it for snsapi_base.
   */
  authorizeUrl(params: AuthorizeUrlParams): string {
    const scope = params.scope ?? 'snsapi_base';
    checkRedirect(params, (c) => c.oneOf('scope', scope, ['snsapi_base', 'snsapi_privateinfo']));
    const query = new URLSearchParams({
      appid: this.#corpId,
      redirect_uri: params.redirectUri,
      response_type: 'code',
      scope,
      state: params.state,
      agentid: String(this.#agentId),
    });
    // The #wechat_redirect fragment is mandatory (§7.1).
    return `${this.#oauthBaseUrl}/connect/oauth2/authorize?${query}#wechat_redirect`;
  }

  /** The browser login URL (§7.2, login_type CorpApp): a QR code, or one click in the WeCom desktop client. */
  webLoginUrl(params: WebLoginUrlParams): string {
    checkRedirect(params, (c) => c.oneOf('lang', params.lang, ['zh', 'en']));
    const query = new URLSearchParams({
      login_type: 'CorpApp',
      appid: this.#corpId,
      agentid: String(this.#agentId),
      redirect_uri: params.redirectUri,
      state: params.state,
    });
    if (params.lang) query.set('lang', params.lang);
    return `${this.#loginBaseUrl}/wwlogin/sso/login?${query}`;
  }

  /**
   * `GET /cgi-bin/auth/getuserinfo` (§7.3): who the code belongs to. Codes are single use and expire after 5 minutes
   * (40029), so a call whose outcome is unknown is not retried.
   */
  async getUserInfo(code: string, options: { signal?: AbortSignal } = {}): Promise<OAuthIdentity> {
    const c = new Checker();
    c.string('code', code, { required: true, maxBytes: 512 });
    c.throwIfAny('getUserInfo');
    const r = await this.#api.call<GetUserInfoResponse>({
      method: 'GET',
      path: '/cgi-bin/auth/getuserinfo',
      query: { code },
      retry: 'once-only',
      signal: options.signal,
    });
    return parseIdentity(r);
  }

  /** `POST /cgi-bin/auth/getuserdetail` (§7.4): sensitive fields, given a user_ticket from snsapi_privateinfo. */
  async getUserDetail(userTicket: string, options: { signal?: AbortSignal } = {}): Promise<UserDetail> {
    const c = new Checker();
    c.string('user_ticket', userTicket, { required: true, hint: 'from getUserInfo with scope snsapi_privateinfo' });
    c.throwIfAny('getUserDetail');
    const r = await this.#api.call<GetUserDetailResponse>({
      method: 'POST',
      path: '/cgi-bin/auth/getuserdetail',
      body: { user_ticket: userTicket },
      retry: 'idempotent',
      signal: options.signal,
    });
    return dropUndefined({
      userId: r.userid,
      gender: r.gender,
      avatar: r.avatar,
      qrCode: r.qr_code,
      mobile: r.mobile,
      email: r.email,
      bizMail: r.biz_mail,
      address: r.address,
    });
  }
}

export function parseIdentity(r: GetUserInfoResponse): OAuthIdentity {
  const userId = r.userid ?? r.UserId;
  if (userId) return r.user_ticket ? { kind: 'member', userId, userTicket: r.user_ticket } : { kind: 'member', userId };
  const openId = r.openid ?? r.OpenId ?? '';
  return r.external_userid ? { kind: 'outsider', openId, externalUserId: r.external_userid } : { kind: 'outsider', openId };
}

function checkRedirect(params: { redirectUri: string; state: string }, more: (c: Checker) => void): void {
  const c = new Checker();
  if (c.isObject('params', params)) {
    c.url('redirectUri', params.redirectUri, { required: true });
    if (c.string('state', params.state, { required: true, hint: 'use createState() and check it on return' }) && !STATE.test(params.state)) {
      c.add('state', 'state must be at most 128 characters of a-z, A-Z and 0-9 (use createState())');
    }
    more(c);
  }
  c.throwIfAny('OAuth URL');
}

function baseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, e.g. ${name === 'oauthBaseUrl' ? DEFAULT_OAUTH_BASE_URL : DEFAULT_LOGIN_BASE_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${name} must use http: or https:`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * JS-SDK (wecom-protocol.md §10): the corp ticket (`get_jsapi_ticket`, for `wx.config`) and the app ticket
 * (`ticket/get?type=agent_config`, for `wx.agentConfig`), and the signatures a page needs. Tickets are limited to
 * 400/h per corp and 100/h per app, so they are cached like the access token (same store, same lease).
 */
import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';

export interface FetchedTicket {
  ticket: string;
  /** Seconds, normally 7200. */
  expiresIn: number;
}

interface TicketResponse extends WeComResponse {
  ticket: string;
  expires_in: number;
}

/** `GET /cgi-bin/get_jsapi_ticket` — one request, uncached (the client caches it). */
export async function fetchJsapiTicket(api: ApiCaller, signal?: AbortSignal): Promise<FetchedTicket> {
  // 400 an hour per corp for both kinds of ticket (§10).
  const r = await api.call<TicketResponse>({ method: 'GET', path: '/cgi-bin/get_jsapi_ticket', quotas: ['corp-ticket:jsapi'], signal });
  return { ticket: r.ticket, expiresIn: r.expires_in };
}

/** `GET /cgi-bin/ticket/get?type=agent_config` — one request, uncached. A corp ticket here would get 42012. */
export async function fetchAgentConfigTicket(api: ApiCaller, signal?: AbortSignal): Promise<FetchedTicket> {
  // 100 an hour per app, and the corp's 400 (§10).
  const r = await api.call<TicketResponse>({
    method: 'GET',
    path: '/cgi-bin/ticket/get',
    query: { type: 'agent_config' },
    quotas: ['app-ticket:agent_config', 'corp-ticket:jsapi'],
    signal,
  });
  return { ticket: r.ticket, expiresIn: r.expires_in };
}

export interface SignJsApiParams {
  ticket: string;
  /** The page URL; anything from `#` on is dropped, as the algorithm requires. */
  url: string;
  /** Default: 16 random URL-safe characters. */
  nonceStr?: string;
  /** Seconds since the epoch. Default: now. */
  timestamp?: number;
}

export interface JsApiSignature {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/**
 * sha1(`jsapi_ticket=…&noncestr=…&timestamp=…&url=…`), lower-case hex (§10): fixed key order, raw values, the url
 * without its fragment, the timestamp in seconds. Computed by the official `@wecom/crypto`.
 */
export function signJsApi(params: SignJsApiParams): JsApiSignature {
  const c = new Checker();
  c.string('ticket', params.ticket, { required: true });
  c.url('url', params.url, { required: true });
  if (params.timestamp !== undefined && (!Number.isInteger(params.timestamp) || params.timestamp < 0 || params.timestamp > 1e11)) {
    c.add('timestamp', 'timestamp must be whole seconds since the epoch (not milliseconds)');
  }
  if (params.nonceStr !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(params.nonceStr)) c.add('nonceStr', 'nonceStr must be 1–64 characters of A-Z, a-z, 0-9, "_" and "-"');
  c.throwIfAny('JS-SDK signature');
  const url = stripFragment(params.url);
  const nonceStr = params.nonceStr ?? randomBytes(12).toString('base64url');
  const timestamp = params.timestamp ?? Math.floor(Date.now() / 1000);
  const { signature } = getJsApiSignature({ url, ticket: params.ticket, nonceStr, timestamp });
  return { timestamp, nonceStr, signature };
}

function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** Where the client's cached tickets come from (the token manager, with kinds jsapi_ticket / agent_config_ticket). */
export interface TicketSource {
  get(signal?: AbortSignal): Promise<string>;
}

export interface JsSdkOptions {
  corpId: string;
  agentId: number;
  jsapiTicket: TicketSource;
  agentConfigTicket: TicketSource;
  /** Seconds since the epoch; injected in tests. */
  now?: () => number;
}

/** What `wx.config({ beta: true, appId, timestamp, nonceStr, signature, jsApiList })` needs. */
export interface WxConfigParams extends JsApiSignature {
  appId: string;
}

/** What `wx.agentConfig({ corpid, agentid, timestamp, nonceStr, signature, jsApiList })` needs. */
export interface WxAgentConfigParams extends JsApiSignature {
  corpid: string;
  agentid: number;
}

export class JsSdkApi {
  readonly #api: ApiCaller;
  readonly #options: JsSdkOptions;

  constructor(api: ApiCaller, options: JsSdkOptions) {
    this.#api = api;
    this.#options = options;
  }

  /** The corp ticket, from the cache or fetched once under the lease. */
  getJsapiTicket(options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.#options.jsapiTicket.get(options.signal);
  }

  /** The app ticket, from the cache or fetched once under the lease. */
  getAgentConfigTicket(options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.#options.agentConfigTicket.get(options.signal);
  }

  /** Uncached `get_jsapi_ticket` (mostly for tools; prefer getJsapiTicket). */
  fetchJsapiTicket(options: { signal?: AbortSignal } = {}): Promise<FetchedTicket> {
    return fetchJsapiTicket(this.#api, options.signal);
  }

  /** Uncached `ticket/get?type=agent_config`. */
  fetchAgentConfigTicket(options: { signal?: AbortSignal } = {}): Promise<FetchedTicket> {
    return fetchAgentConfigTicket(this.#api, options.signal);
  }

  /** Parameters for `wx.config` on the page at `url`, signed with the corp ticket. */
  async configSignature(url: string, options: { signal?: AbortSignal } = {}): Promise<WxConfigParams> {
    const ticket = await this.getJsapiTicket(options);
    return { appId: this.#options.corpId, ...signJsApi({ ticket, url, timestamp: this.#now() }) };
  }

  /** Parameters for `wx.agentConfig` on the page at `url`, signed with the app ticket. */
  async agentConfigSignature(url: string, options: { signal?: AbortSignal } = {}): Promise<WxAgentConfigParams> {
    const ticket = await this.getAgentConfigTicket(options);
    return { corpid: this.#options.corpId, agentid: this.#options.agentId, ...signJsApi({ ticket, url, timestamp: this.#now() }) };
  }

  #now(): number {
    return this.#options.now ? this.#options.now() : Math.floor(Date.now() / 1000);
  }
}

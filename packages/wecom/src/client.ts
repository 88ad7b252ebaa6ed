/**
 * WeComClient: one object per app that composes the pieces — configuration, the request pipeline (token, retries,
 * errors, events), the token store (memory, or PostgreSQL when `databaseUrl` is set), the limiter — and exposes the
 * resources: `client.message.send(...)`, `client.contacts.getUser(...)`, `client.robot(key).send(...)`.
 */
import { fromEnv, resolveConfig, type FromEnvOptions, type WeComConfig, type WeComConfigInput } from './config.ts';
import { WeComEvents, type WeComEventName, type WeComListener } from './events.ts';
import { RequestSender } from './http/request-sender.ts';
import type { ApiRequest, WeComResponse } from './http/types.ts';
import { QuotaLimiter } from './limiter/limiter.ts';
import { MemoryQuotaStore } from './limiter/memory-store.ts';
import { PostgresQuotaStore } from './limiter/postgres-store.ts';
import { wecomQuotaRules, type QuotaRules } from './limiter/rules.ts';
import type { QuotaStore } from './limiter/store.ts';
import type { RateLimiter } from './limiter/types.ts';
import { AppChatApi } from './resources/app-chat.ts';
import { ContactsApi } from './resources/contacts.ts';
import { GroupRobot } from './resources/group-robot.ts';
import { fetchAgentConfigTicket, fetchJsapiTicket, JsSdkApi } from './resources/jssdk.ts';
import { MediaApi } from './resources/media.ts';
import { MessageApi } from './resources/message.ts';
import { OAuthApi } from './resources/oauth.ts';
import { CredentialCache } from './token/credential-cache.ts';
import { tokenStoreFor } from './token/index.ts';
import type { CredentialKind, TokenStore } from './token/store.ts';

/** Everything besides the configuration (which may come from `fromEnv`). */
export interface WeComClientExtras {
  /** Where the access token and JS-SDK tickets are cached. Default: PostgreSQL when `databaseUrl` is set, else memory. */
  store?: TokenStore;
  /**
   * Replaces the limiter altogether. Default: a QuotaLimiter with WeCom's documented quotas for this corp and app,
   * its state in `quotaStore`.
   */
  limiter?: RateLimiter;
  /**
   * Where the quotas are kept: PostgresQuotaStore or RedisQuotaStore to share them with every process of the
   * cluster. Default: PostgreSQL when `databaseUrl` is set, else memory (this process only).
   */
  quotaStore?: QuotaStore;
  /** The corp's seat limit (人数上限): app messages are limited to seat limit × 200 person-times a day (§5). */
  seatLimit?: number;
  /** Your own windows for some quota prefixes (over the documented ones), e.g. an older corp on 2,000/min. */
  quotaRules?: QuotaRules;
  /** This process's egress IP as WeCom sees it, for the per-IP quota (default: one IP for all processes). */
  egressIp?: string;
  /** After a 45009, how long nothing of that API is sent (default 60 000 ms, WeCom's block; 0: retry with backoff only). */
  frequencyBlockMs?: number;
  /** Share one event emitter between clients; default a new one (`client.on(...)`). */
  events?: WeComEvents;
  /** Host of the in-client OAuth page (default https://open.weixin.qq.com); the emulator serves the same path. */
  oauthBaseUrl?: string;
  /** Host of the web-login page (default https://login.work.weixin.qq.com); the emulator serves the same path. */
  loginBaseUrl?: string;
  /** Epoch milliseconds; inject a fake clock in tests. */
  now?: () => number;
}

export type WeComClientOptions = WeComConfigInput & WeComClientExtras;

export interface TokenControls {
  /**
   * For a scheduled job: refreshes the access token (and, when asked, the JS-SDK tickets) if due (80% of its life)
   * or missing. Returns which ones this call fetched — false when fresh, or another process refreshed first.
   */
  refreshIfDue(options?: { tickets?: boolean }): Promise<Partial<Record<CredentialKind, boolean>>>;
}

export class WeComClient {
  /** The resolved configuration; secrets are redacted when it is logged or serialised. */
  readonly config: WeComConfig;
  readonly events: WeComEvents;
  /** App messages: send, recall, updateTemplateCard (§3). */
  readonly message: MessageApi;
  /** Temporary media upload (§3.7). */
  readonly media: MediaApi;
  /** In-client authorization and web login URLs, code → identity (§7). */
  readonly oauth: OAuthApi;
  /** Departments and members (§8). */
  readonly contacts: ContactsApi;
  /** App group chats (§9.1). */
  readonly appChat: AppChatApi;
  /** JS-SDK tickets (cached) and wx.config / wx.agentConfig signatures (§10). */
  readonly jssdk: JsSdkApi;
  readonly tokens: TokenControls;
  /** The quotas every call of this client takes (shared with other processes through its store). */
  readonly limiter: RateLimiter;

  readonly #sender: RequestSender;
  readonly #ownsStore: boolean;
  readonly #ownedQuota: { limiter: QuotaLimiter; store?: QuotaStore } | undefined;
  readonly #tickets: Record<'jsapi_ticket' | 'agent_config_ticket', CredentialCache>;

  /** Takes a configuration (checked here; a ConfigError names the bad field) plus optional parts. */
  constructor(options: WeComClientOptions | WeComConfig) {
    const extras = options as WeComClientExtras;
    const config = resolveConfig(options);
    this.config = config;
    this.#ownsStore = extras.store === undefined;
    const store = extras.store ?? tokenStoreFor(config);
    this.events = extras.events ?? new WeComEvents();
    if (extras.limiter) {
      this.limiter = extras.limiter;
    } else {
      const ownStore = extras.quotaStore ? undefined : config.databaseUrl ? new PostgresQuotaStore({ connectionString: config.databaseUrl }) : new MemoryQuotaStore();
      const limiter = new QuotaLimiter({
        store: extras.quotaStore ?? ownStore!,
        rules: { ...wecomQuotaRules({ ...(extras.seatLimit !== undefined && { seatLimit: extras.seatLimit }) }), ...extras.quotaRules },
        scope: { corpId: config.corpId, agentId: config.agentId, ...(extras.egressIp !== undefined && { egress: extras.egressIp }) },
        ...(extras.now && { now: extras.now }),
      });
      this.limiter = limiter;
      this.#ownedQuota = { limiter, ...(ownStore && { store: ownStore }) };
    }
    this.#sender = new RequestSender({
      config,
      store,
      events: this.events,
      limiter: this.limiter,
      ...(extras.now && { now: extras.now }),
      ...(extras.frequencyBlockMs !== undefined && { frequencyBlockMs: extras.frequencyBlockMs }),
    });
    const api = this.#sender;
    const ticket = (kind: 'jsapi_ticket' | 'agent_config_ticket', fetch: typeof fetchJsapiTicket) =>
      new CredentialCache({
        key: { corpId: config.corpId, agentId: config.agentId, kind },
        store,
        events: this.events,
        fetch: async () => {
          const { ticket: value, expiresIn } = await fetch(api);
          return { value, expiresInSeconds: expiresIn };
        },
        ...(extras.now && { now: extras.now }),
      });
    this.#tickets = { jsapi_ticket: ticket('jsapi_ticket', fetchJsapiTicket), agent_config_ticket: ticket('agent_config_ticket', fetchAgentConfigTicket) };

    this.message = new MessageApi(api, config);
    this.media = new MediaApi(api);
    this.oauth = new OAuthApi(api, { corpId: config.corpId, agentId: config.agentId, oauthBaseUrl: extras.oauthBaseUrl, loginBaseUrl: extras.loginBaseUrl });
    this.contacts = new ContactsApi(api);
    this.appChat = new AppChatApi(api);
    const now = extras.now;
    this.jssdk = new JsSdkApi(api, {
      corpId: config.corpId,
      agentId: config.agentId,
      jsapiTicket: this.#tickets.jsapi_ticket,
      agentConfigTicket: this.#tickets.agent_config_ticket,
      ...(now && { now: () => Math.floor(now() / 1000) }),
    });
    const sender = this.#sender;
    const tickets = this.#tickets;
    this.tokens = {
      async refreshIfDue(opts = {}) {
        const result: Partial<Record<CredentialKind, boolean>> = { access_token: await sender.accessToken.refreshIfDue() };
        if (opts.tickets) {
          result.jsapi_ticket = await tickets.jsapi_ticket.refreshIfDue();
          result.agent_config_ticket = await tickets.agent_config_ticket.refreshIfDue();
        }
        return result;
      },
    };
  }

  /** A client configured from WECOM_* variables and DATABASE_URL (and `.env`); errors name the variable. */
  static fromEnv(env: Record<string, string | undefined> = process.env, options: FromEnvOptions & WeComClientExtras = {}): WeComClient {
    const { dotenv, dotenvPath, ...extras } = options;
    const config = fromEnv(env, { ...(dotenv !== undefined && { dotenv }), ...(dotenvPath !== undefined && { dotenvPath }) });
    return new WeComClient({ ...pickConfig(config), ...extras });
  }

  /** A group robot (§9.2) by its key or webhook URL; its sends take the robot's 20/min quota. */
  robot(keyOrWebhookUrl: string): GroupRobot {
    return new GroupRobot(this.#sender, keyOrWebhookUrl);
  }

  /**
   * Any documented API the resources do not wrap, through the same pipeline (token, retries, errors, quotas):
   * `client.call({ method: 'GET', path: '/cgi-bin/tag/list' })`.
   */
  call<T extends WeComResponse = WeComResponse>(request: ApiRequest): Promise<T> {
    return this.#sender.call<T>(request);
  }

  /** Typed events (`request`, `response`, `retry`, `token:refresh`, …); returns a function that removes the listener. */
  on<E extends WeComEventName>(event: E, listener: WeComListener<E>): () => void {
    return this.events.on(event, listener);
  }

  /** Closes what the client opened (the PostgreSQL pool of a store it created); quota units held here go back. */
  async close(): Promise<void> {
    if (this.#ownedQuota) {
      await this.#ownedQuota.limiter.close();
      await this.#ownedQuota.store?.close?.();
    }
    if (this.#ownsStore) await this.#sender.store.close?.();
  }
}

/** The plain fields of a resolved config (it carries toJSON / inspect hooks that must not be copied as options). */
function pickConfig(config: WeComConfig): WeComConfigInput {
  const { corpId, agentId, secret, baseUrl, timeoutMs, maxRetries, callbackToken, encodingAESKey, databaseUrl } = config;
  return { corpId, agentId, secret, baseUrl, timeoutMs, maxRetries, callbackToken, encodingAESKey, databaseUrl };
}

/**
 * Emulator options, their defaults, and the demo company. Every point the protocol reference marks uncertain
 * (wecom-protocol.md §12) is a `behaviour` switch whose default is the documented behaviour.
 */
import { readFileSync } from 'node:fs';
import type { DirectoryData } from './state/directory.ts';

export interface AppConfig {
  agentId: number;
  secret: string;
  name?: string;
  /** The app's visible range (可见范围). Default: the root department, i.e. everyone. */
  visibleRange?: { departments?: number[]; users?: string[] };
  /** 企业可信IP (§7.5). When set, API calls from other IPs answer 60020. Default: off. */
  trustedIps?: string[];
  /**
   * 可信域名 for OAuth redirect_uri, `host` or `host:port`, matched exactly (§7.5). When unset the check is
   * off, so any redirect_uri works on a laptop.
   */
  trustedDomains?: string[];
  /** Mini program appids this app is bound to (miniprogram_notice). Unset: any appid is accepted. */
  miniprogramAppIds?: string[];
  /**
   * 应用主页: what the app's icon opens in the WeCom client. The console links to it ("Open <app>"), so a member
   * reaches the app the way WeCom would send them, at the app's real address.
   */
  homeUrl?: string;
}

export interface CallbackConfig {
  url: string;
  token: string;
  encodingAESKey: string;
  /** Delivery timing (src/callbacks/settings.ts). Defaults are WeCom's: 5000 ms per POST, 3 attempts, 1000 ms to verify the URL. */
  timeoutMs?: number;
  attempts?: number;
  retryDelayMs?: number;
  verifyTimeoutMs?: number;
}

export interface RobotConfig {
  /** The webhook key (the robot's credential, §9.2). */
  key: string;
  name?: string;
}

/** Choices where WeCom's documentation is unclear (§12). Defaults follow the documented behaviour. */
export interface Behaviour {
  /** §12.2: documented 42001; since 2024 WeCom has been seen answering 40014 for expired tokens. */
  expiredTokenErrcode: 42001 | 40014;
  /** §12.1: a repeated gettoken returns the same token with `expires_in` = the full TTL or the remaining seconds. */
  tokenExpiresIn: 'full' | 'remaining';
  /** §12.5: message/send without agentid → 41011 (缺少agentid参数, documented) or 40056. */
  missingAgentIdErrcode: 41011 | 40056;
  /** §12.5: empty invaliduser/invalidparty/invalidtag are sent as "" (doc example) or omitted. */
  emptyInvalidLists: 'empty-string' | 'omit';
  /** §12.4: text/markdown content over 2048 bytes is truncated (send doc) or rejected with 45002 (90313). */
  textOverLimit: 'truncate' | 'reject';
  /** §12.8: response_code validity, 72 h (2023+ docs) or 24 h (older docs). */
  responseCodeTtlHours: number;
  /** §3.1 [U]: text/news cards with action_menu also get a response_code (they can be updated, D-94945). */
  actionMenuCardsGetResponseCode: boolean;
  /** §12.9: image upload limit, 10 MB (upload doc) or 5 MB (45001 text). */
  imageMaxBytes: number;
  /**
   * §8: self-built apps created after 2022-06-20 no longer read avatar, gender, mobile, email, biz_mail, qr_code
   * and address through contact APIs (the contact-sync token still does). true = the older apps' behaviour.
   */
  appsReadSensitiveContactFields: boolean;
}

/** Frequency limits (§5). Tests lower them to reach a limit quickly, or scale time with `quotaTimeScale`. */
export interface Limits {
  /** Per corp, per API: 10,000/min and 150,000/hour → 45009, then the API is blocked for the corp (below). */
  apiPerMinute: number;
  apiPerHour: number;
  /** Per caller IP, per API: 20,000/min and 600,000/hour → 45009 and the same blocks. */
  apiPerMinutePerIp: number;
  apiPerHourPerIp: number;
  /** How long an API stays blocked after its per-minute (60 s) and per-hour (3600 s) limit was exceeded (§5). */
  minuteBlockSeconds: number;
  hourBlockSeconds: number;
  /**
   * The corp's seat limit (人数上限): app messages are limited to seatLimit × 200 person-times per app and natural
   * day (Beijing); beyond, message/send answers 45009 (assumed, §12.6) until the day ends. 0: not enforced.
   */
  seatLimit: number;
  /** Per app → same member: 30/min, 1000/hour; the excess is dropped silently (errcode 0). */
  memberPerMinute: number;
  memberPerHour: number;
  /** Group robot: 20 messages/min per key → 45009. */
  webhookPerMinute: number;
  /** jsapi tickets: 400/hour per corp, 100/hour per app → 45009 (§10). */
  jsapiTicketPerHourPerCorp: number;
  agentTicketPerHourPerApp: number;
  /** appchat/send person-times per corp: 20,000/min and 300,000/hour → 45009 (§5). */
  appchatSendPerMinute: number;
  appchatSendPerHour: number;
  /** appchat, per member: 200 messages/min and 10,000/day; the excess is dropped silently. */
  appchatMemberPerMinute: number;
  appchatMemberPerDay: number;
  /** appchat/create: 1000 a day per corp; appchat/update: 1000 an hour per corp → 45009. */
  appchatCreatePerDay: number;
  appchatUpdatePerHour: number;
  /**
   * Calls of one API in flight at once beyond which WeCom answers 45033 (unpublished; 0, the default: not
   * enforced).
   */
  concurrentPerApi: number;
  /** Multiplies every window and block (0.01: "a minute" is 0.6 s), so tests see the limits without waiting. */
  quotaTimeScale: number;
}

export interface EmulatorOptions {
  /** 0 = an ephemeral port (tests). The CLI's default is 4100. */
  port?: number;
  host?: string;
  corpId?: string;
  agentId?: number;
  secret?: string;
  /** The main app's other settings (name, visible range, trusted IPs and domains). */
  app?: Omit<AppConfig, 'agentId' | 'secret'>;
  /** More apps of the same company (e.g. to see 301002 when one app's token names another). */
  apps?: AppConfig[];
  /** The 通讯录同步 secret: its token may write contacts and call user/list_id (§8). */
  contactSyncSecret?: string;
  callback?: CallbackConfig;
  directory?: DirectoryData;
  /** Access-token lifetime, default 7200 s (§2). */
  tokenTtlSeconds?: number;
  robots?: RobotConfig[];
  /**
   * Whether contact writes and user/list_id need the contact-sync secret's token (true, as documented in §8)
   * or also accept the app's token (false).
   */
  contactWritesNeedSyncSecret?: boolean;
  behaviour?: Partial<Behaviour>;
  limits?: Partial<Limits>;
  /** The underlying time source (default Date.now); `advanceClock` adds to it. */
  now?: () => number;
  /** Maximum number of API calls kept for `calls()` (oldest dropped first). Default 10,000. */
  callLogSize?: number;
  /** Log requests with pino (fastify's logger). Default false. */
  logger?: boolean;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  expiredTokenErrcode: 42001,
  tokenExpiresIn: 'full',
  missingAgentIdErrcode: 41011,
  emptyInvalidLists: 'empty-string',
  textOverLimit: 'truncate',
  responseCodeTtlHours: 72,
  actionMenuCardsGetResponseCode: true,
  imageMaxBytes: 10 * 1024 * 1024,
  appsReadSensitiveContactFields: false,
};

export const DEFAULT_LIMITS: Limits = {
  apiPerMinute: 10_000,
  apiPerHour: 150_000,
  apiPerMinutePerIp: 20_000,
  apiPerHourPerIp: 600_000,
  minuteBlockSeconds: 60,
  hourBlockSeconds: 3600,
  seatLimit: 200,
  memberPerMinute: 30,
  memberPerHour: 1000,
  webhookPerMinute: 20,
  jsapiTicketPerHourPerCorp: 400,
  agentTicketPerHourPerApp: 100,
  appchatSendPerMinute: 20_000,
  appchatSendPerHour: 300_000,
  appchatMemberPerMinute: 200,
  appchatMemberPerDay: 10_000,
  appchatCreatePerDay: 1000,
  appchatUpdatePerHour: 1000,
  concurrentPerApi: 0,
  quotaTimeScale: 1,
};

/** Person-times per seat and day of the app-message quota (§5). */
export const PERSON_TIMES_PER_SEAT = 200;

/** Checks the limits: whole numbers ≥ 0 (a scale > 0); a TypeError names the one to fix. */
function checkLimits(limits: Limits): Limits {
  for (const [name, value] of Object.entries(limits)) {
    if (!(name in DEFAULT_LIMITS)) throw new TypeError(`limits.${name} is not a limit; the limits are ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    const ok = name === 'quotaTimeScale' ? typeof value === 'number' && value > 0 : Number.isInteger(value) && value >= 0;
    if (!ok) throw new TypeError(`limits.${name} must be ${name === 'quotaTimeScale' ? 'a number > 0' : 'a whole number ≥ 0'} (got ${JSON.stringify(value)})`);
  }
  return limits;
}

/**
 * The demo company's fixed, documented credentials. They are development values of an emulator that runs on
 * a laptop, not secrets: printing them is what the emulator is for.
 */
export const DEMO = {
  corpId: 'wwpairviewdemo0001',
  agentId: 1000002,
  secret: 'pairview-demo-app-secret-0000000000000000001',
  appName: 'Pairview',
  contactSyncSecret: 'pairview-demo-contact-sync-secret-000000001',
  /** A second app, so that one app's token naming the other's agentid shows 301002. */
  otherApp: { agentId: 1000003, secret: 'pairview-demo-other-app-secret-00000000001', name: 'Approvals' } satisfies AppConfig,
  robotKey: '693a91f6-7b2c-4e5d-8f01-2a3b4c5d6e7f',
} as const;

export function loadDemoDirectory(): DirectoryData {
  return JSON.parse(readFileSync(new URL('../data/demo-directory.json', import.meta.url), 'utf8')) as DirectoryData;
}

/** The options with every default filled in; what the state and routes read. */
export interface ResolvedConfig {
  corpId: string;
  apps: AppConfig[];
  /** The main app (apps[0]). */
  app: AppConfig;
  contactSyncSecret: string;
  callback: CallbackConfig | undefined;
  tokenTtlSeconds: number;
  robots: RobotConfig[];
  contactWritesNeedSyncSecret: boolean;
  behaviour: Behaviour;
  limits: Limits;
  callLogSize: number;
}

/** Fills defaults and checks the options; throws a TypeError that names the option to fix. */
export function resolveConfig(options: EmulatorOptions): ResolvedConfig {
  const usesDemo = options.corpId === undefined;
  const corpId = options.corpId ?? DEMO.corpId;
  if (typeof corpId !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(corpId)) {
    throw new TypeError(`corpId must be 1-64 letters and digits, like "ww1234567890abcdef" (got ${JSON.stringify(corpId)})`);
  }
  const agentId = options.agentId ?? DEMO.agentId;
  if (!Number.isInteger(agentId) || agentId <= 0) throw new TypeError(`agentId must be a positive integer (got ${String(agentId)})`);
  const secret = options.secret ?? DEMO.secret;
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('secret must be a non-empty string');
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 7200;
  if (!Number.isInteger(tokenTtlSeconds) || tokenTtlSeconds <= 0) {
    throw new TypeError(`tokenTtlSeconds must be a positive integer number of seconds (got ${String(tokenTtlSeconds)})`);
  }
  const main: AppConfig = { name: DEMO.appName, ...options.app, agentId, secret };
  const extra = options.apps ?? (usesDemo ? [DEMO.otherApp] : []);
  const apps = [main, ...extra];
  const seen = new Set<number>();
  for (const app of apps) {
    if (!Number.isInteger(app.agentId) || app.agentId <= 0) throw new TypeError(`apps: agentId must be a positive integer (got ${String(app.agentId)})`);
    if (seen.has(app.agentId)) throw new TypeError(`apps: agentId ${app.agentId} is used twice`);
    seen.add(app.agentId);
  }
  if (options.callback) {
    const { url, token, encodingAESKey } = options.callback;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new TypeError('callback.url must be an http:// or https:// URL');
    if (typeof token !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(token)) {
      throw new TypeError('callback.token must be 1-32 English letters or digits (§6.1)');
    }
    if (typeof encodingAESKey !== 'string' || !/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
      throw new TypeError('callback.encodingAESKey must be exactly 43 characters of A-Z, a-z and 0-9 (§6.1)');
    }
  }
  return {
    corpId,
    apps,
    app: main,
    contactSyncSecret: options.contactSyncSecret ?? DEMO.contactSyncSecret,
    callback: options.callback,
    tokenTtlSeconds,
    robots: options.robots ?? [{ key: DEMO.robotKey, name: 'Demo robot' }],
    contactWritesNeedSyncSecret: options.contactWritesNeedSyncSecret ?? true,
    behaviour: { ...DEFAULT_BEHAVIOUR, ...options.behaviour },
    limits: checkLimits({ ...DEFAULT_LIMITS, ...options.limits }),
    callLogSize: options.callLogSize ?? 10_000,
  };
}

/**
 * Environment → typed configuration, checked once at start. Every problem names the variable and what to put in
 * it; .env.example at the repository root lists every variable with a comment. `loadConfig` never reads files:
 * main.ts loads `.env` (when present) into process.env first.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Locale = 'zh' | 'en';

/** The WeCom app Pairview talks to. All five variables or none: none means "start the emulator" (the glue). */
export interface WeComAppConfig {
  corpId: string;
  agentId: number;
  secret: string;
  callbackToken: string;
  encodingAesKey: string;
  /**
   * Where WeCom is reached, when not at WeCom's own origins (WECOM_API_BASE, WECOM_OAUTH_BASE, WECOM_LOGIN_BASE): a
   * forward proxy, or a stand-in such as the emulator. Unset: the SDK's defaults (https://qyapi.weixin.qq.com,
   * https://open.weixin.qq.com, https://login.work.weixin.qq.com).
   */
  apiBase?: string;
  oauthBase?: string;
  loginBase?: string;
}

export interface Config {
  port: number;
  host: string;
  /** Where people reach Pairview (links in WeCom messages, OAuth redirect). Default http://localhost:PORT. */
  publicUrl: URL;
  /** Undefined: start the embedded PostgreSQL (data under `embeddedPostgres.dataDir`). */
  databaseUrl: string | undefined;
  embeddedPostgres: { dataDir: string; port: number };
  /** WeCom user ids with the admin role (PAIRVIEW_ADMINS). */
  admins: ReadonlySet<string>;
  locale: Locale;
  /** IANA zone of the company: "today", "this week" and the 09:00 digest are in this zone. */
  timeZone: string;
  /** Signs the session cookie; undefined: main.ts makes a random one (sessions end with the process). */
  sessionSecret: string | undefined;
  sessionTtlHours: number;
  /** Undefined when no WECOM_* variable is set. */
  wecom: WeComAppConfig | undefined;
  /** Development mode (no WECOM_*): where the in-process WeCom emulator listens (PAIRVIEW_EMULATOR_PORT, default 4100). */
  emulatorPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LOG_FORMAT: json (the default with NODE_ENV=production) or pretty (the default otherwise: a person reads it). */
  logFormat: 'json' | 'pretty';
  /** Several Pairview processes share the interview rooms through this Redis (REDIS_URL); undefined: one process. */
  redisUrl: URL | undefined;
  /**
   * The code runner for the room's server-side languages: a Piston-API URL (PAIRVIEW_RUNNER_URL: a Piston
   * cluster, or our runners behind a load balancer), 'embedded' (the default: main.ts starts apps/runner in this
   * process when bubblewrap works here) or 'off' (PAIRVIEW_RUNNER=off).
   */
  runner: { kind: 'url'; url: URL } | { kind: 'embedded' } | { kind: 'off' };
  /** Server-side runs at once from this process (PAIRVIEW_RUNNER_CONCURRENCY, default 2: the embedded runner's). */
  runnerConcurrency: number;
  /**
   * Which proxies' X-Forwarded-* headers to believe (PAIRVIEW_TRUST_PROXY): false (the default: none, the
   * client's address is the socket's), true (any), or addresses/CIDRs (fastify's trustProxy).
   */
  trustProxy: boolean | string;
  /**
   * The WeCom corp's seat limit (人数上限, WECOM_SEAT_LIMIT): WeCom allows an app seat limit × 200 person-times of
   * messages a day (wecom-protocol.md §5), which Pairview keeps for every process. Unset: 200, the emulator's, a
   * cautious guess for a real corp (a guess too high would meet WeCom's refusal until midnight; too low only makes
   * the digest wait earlier).
   */
  seatLimit: { value: number; configured: boolean };
}

/** What Pairview assumes when WECOM_SEAT_LIMIT is unset. */
export const DEFAULT_SEAT_LIMIT = 200;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The repository root (apps/server/src → ../../..): .env and .data/ live there. */
export const repositoryRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
  }
  return value;
}

/** Optional WeCom origins (a proxy or a stand-in); meaningful only with a real app (the five WECOM_* variables). */
const WECOM_ORIGINS = [
  ['WECOM_API_BASE', 'apiBase', 'https://qyapi.weixin.qq.com'],
  ['WECOM_OAUTH_BASE', 'oauthBase', 'https://open.weixin.qq.com'],
  ['WECOM_LOGIN_BASE', 'loginBase', 'https://login.work.weixin.qq.com'],
] as const;

function wecomOrigins(env: Env): Pick<WeComAppConfig, 'apiBase' | 'oauthBase' | 'loginBase'> {
  const origins: Pick<WeComAppConfig, 'apiBase' | 'oauthBase' | 'loginBase'> = {};
  for (const [name, key, example] of WECOM_ORIGINS) {
    const raw = read(env, name);
    if (raw === undefined) continue;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    // The SDK appends WeCom's paths (/cgi-bin/..., /connect/oauth2/authorize, /wwlogin/sso/login) to it.
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
      throw new ConfigError(`${name} must be an http(s) URL without query, fragment or credentials, such as ${example}; got "${raw}"`);
    }
    origins[key] = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  }
  return origins;
}

const WECOM_VARIABLES = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_CALLBACK_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;

function wecomApp(env: Env): WeComAppConfig | undefined {
  const present = WECOM_VARIABLES.filter((name) => read(env, name) !== undefined);
  if (present.length === 0) {
    const stray = WECOM_ORIGINS.map(([name]) => name).filter((name) => read(env, name) !== undefined);
    if (stray.length > 0) {
      throw new ConfigError(
        `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set without a WeCom app: set all five WECOM_* app variables too, ` +
          'or unset it to use the built-in emulator',
      );
    }
    return undefined;
  }
  const missing = WECOM_VARIABLES.filter((name) => read(env, name) === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, but ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'}: ` +
        'set all five WECOM_* variables to use a real WeCom app, or none to use the emulator',
    );
  }
  const agentId = read(env, 'WECOM_AGENT_ID')!;
  if (!/^\d+$/.test(agentId)) throw new ConfigError(`WECOM_AGENT_ID must be the app's numeric AgentId; got "${agentId}"`);
  // EncodingAESKey is 43 characters of base64 without padding (wecom-protocol.md, callback crypto).
  if (!/^[A-Za-z0-9+/]{43}$/.test(read(env, 'WECOM_ENCODING_AES_KEY')!)) {
    throw new ConfigError('WECOM_ENCODING_AES_KEY must be the 43-character EncodingAESKey from the app\'s callback settings');
  }
  return {
    corpId: read(env, 'WECOM_CORP_ID')!,
    agentId: Number(agentId),
    secret: read(env, 'WECOM_SECRET')!,
    callbackToken: read(env, 'WECOM_CALLBACK_TOKEN')!,
    encodingAesKey: read(env, 'WECOM_ENCODING_AES_KEY')!,
    ...wecomOrigins(env),
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = read(env, 'HOST') ?? '0.0.0.0';

  const rawPublicUrl = read(env, 'PAIRVIEW_PUBLIC_URL') ?? `http://localhost:${port}`;
  let publicUrl: URL;
  try {
    publicUrl = new URL(rawPublicUrl);
  } catch {
    throw new ConfigError(`PAIRVIEW_PUBLIC_URL must be an absolute http(s) URL such as https://pairview.example.com; got "${rawPublicUrl}"`);
  }
  if (publicUrl.protocol !== 'http:' && publicUrl.protocol !== 'https:') {
    throw new ConfigError(`PAIRVIEW_PUBLIC_URL must start with http:// or https://; got "${rawPublicUrl}"`);
  }

  const databaseUrl = read(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database), or unset to use the embedded PostgreSQL');
  }

  const admins = new Set(
    (read(env, 'PAIRVIEW_ADMINS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

  const locale = read(env, 'PAIRVIEW_LOCALE') ?? 'zh';
  if (locale !== 'zh' && locale !== 'en') throw new ConfigError(`PAIRVIEW_LOCALE must be zh or en; got "${locale}"`);

  const timeZone = read(env, 'PAIRVIEW_TIME_ZONE') ?? 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ConfigError(`PAIRVIEW_TIME_ZONE must be an IANA time zone such as Asia/Shanghai; got "${timeZone}"`);
  }

  const sessionSecret = read(env, 'SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)');
  }
  if (sessionSecret === undefined && publicUrl.protocol === 'https:') {
    throw new ConfigError('SESSION_SECRET is required when PAIRVIEW_PUBLIC_URL is https (a deployment): set it to at least 32 random characters, e.g. `openssl rand -hex 32`');
  }

  const logLevel = read(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`);
  }

  const logFormat = read(env, 'LOG_FORMAT') ?? (read(env, 'NODE_ENV') === 'production' ? 'json' : 'pretty');
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    throw new ConfigError(`LOG_FORMAT must be json (one JSON object a line, for a log collector) or pretty (for a terminal); got "${logFormat}"`);
  }

  const rawRedisUrl = read(env, 'REDIS_URL');
  let redisUrl: URL | undefined;
  if (rawRedisUrl !== undefined) {
    redisUrl = URL.canParse(rawRedisUrl) ? new URL(rawRedisUrl) : undefined;
    if (redisUrl?.protocol !== 'redis:') {
      throw new ConfigError('REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379 (or unset: one process serves the rooms)');
    }
  }

  const rawRunnerUrl = read(env, 'PAIRVIEW_RUNNER_URL');
  const runnerMode = read(env, 'PAIRVIEW_RUNNER');
  let runner: Config['runner'];
  if (rawRunnerUrl !== undefined) {
    const url = URL.canParse(rawRunnerUrl) ? new URL(rawRunnerUrl) : undefined;
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
      throw new ConfigError('PAIRVIEW_RUNNER_URL must be the http(s) URL of a Piston-API code runner, such as http://127.0.0.1:2000 (or unset: Pairview starts its own)');
    }
    runner = { kind: 'url', url };
  } else if (runnerMode === undefined || runnerMode === 'embedded') {
    runner = { kind: 'embedded' };
  } else if (runnerMode === 'off') {
    runner = { kind: 'off' };
  } else {
    throw new ConfigError(`PAIRVIEW_RUNNER must be "embedded" (the default) or "off"; got "${runnerMode}" (a runner elsewhere: set PAIRVIEW_RUNNER_URL)`);
  }

  const rawTrustProxy = read(env, 'PAIRVIEW_TRUST_PROXY');
  let trustProxy: Config['trustProxy'] = false;
  if (rawTrustProxy === 'true' || rawTrustProxy === 'false') trustProxy = rawTrustProxy === 'true';
  else if (rawTrustProxy !== undefined) {
    if (!/^[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*$/.test(rawTrustProxy)) {
      throw new ConfigError(`PAIRVIEW_TRUST_PROXY must be true, false, or the proxies' addresses/CIDRs such as 10.0.0.0/8,127.0.0.1; got "${rawTrustProxy}"`);
    }
    trustProxy = rawTrustProxy;
  }

  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    embeddedPostgres: {
      dataDir: resolve(repositoryRoot, read(env, 'PAIRVIEW_EMBEDDED_PG_DIR') ?? '.data/postgres'),
      port: integer(env, 'PAIRVIEW_EMBEDDED_PG_PORT', 54329, 1, 65535),
    },
    admins,
    locale,
    timeZone,
    sessionSecret,
    sessionTtlHours: integer(env, 'SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365),
    wecom: wecomApp(env),
    emulatorPort: integer(env, 'PAIRVIEW_EMULATOR_PORT', 4100, 0, 65535),
    logLevel: logLevel as Config['logLevel'],
    logFormat,
    redisUrl,
    runner,
    runnerConcurrency: integer(env, 'PAIRVIEW_RUNNER_CONCURRENCY', 2, 1, 256),
    trustProxy,
    seatLimit: { value: integer(env, 'WECOM_SEAT_LIMIT', DEFAULT_SEAT_LIMIT, 1, 10_000_000), configured: read(env, 'WECOM_SEAT_LIMIT') !== undefined },
  };
}

/**
 * Configuration: one place that checks every setting when the client is built, so a typo fails at start with a
 * message that names the setting (or environment variable) and says what is allowed — never the value itself
 * when the value is a secret.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspect, parseEnv } from 'node:util';
import { assertEncodingAESKey } from './callback/crypto.ts';
import { ConfigError } from './errors.ts';

export { ConfigError };

export const DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 3;

export interface WeComConfig {
  /** 企业ID, e.g. `ww0123456789abcdef` (admin console → My company). */
  readonly corpId: string;
  /** The self-built app's AgentId (an integer; wecom-protocol.md §1.11). */
  readonly agentId: number;
  /** The app's Secret. Redacted from JSON.stringify and util.inspect of the config. */
  readonly secret: string;
  /** API origin, no trailing slash. Default `https://qyapi.weixin.qq.com`; point it at the emulator in tests. */
  readonly baseUrl: string;
  /** Per-attempt HTTP timeout in milliseconds. Default 10 000. */
  readonly timeoutMs: number;
  /** Retries for transient failures (-1, 45009, 45033, HTTP 5xx, network). Default 3. */
  readonly maxRetries: number;
  /** Callback Token (≤32 letters/digits, §6.1); needed only to receive callbacks. */
  readonly callbackToken?: string;
  /** Callback EncodingAESKey (43 characters, §6.1); needed only to receive callbacks. */
  readonly encodingAESKey?: string;
  /** PostgreSQL connection string; when set, tokens are shared through PostgreSQL across processes. */
  readonly databaseUrl?: string;
}

/** What callers pass: required fields plus any defaults they want to override. agentId may be a numeric string. */
export interface WeComConfigInput {
  corpId?: string;
  agentId?: number | string;
  secret?: string;
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  callbackToken?: string;
  encodingAESKey?: string;
  databaseUrl?: string;
}

type Field = keyof WeComConfigInput;

/** The environment variable behind each field (the public contract of `fromEnv`). */
export const ENV_VARS = {
  corpId: 'WECOM_CORP_ID',
  agentId: 'WECOM_AGENT_ID',
  secret: 'WECOM_SECRET',
  baseUrl: 'WECOM_API_BASE',
  callbackToken: 'WECOM_CALLBACK_TOKEN',
  encodingAESKey: 'WECOM_ENCODING_AES_KEY',
  databaseUrl: 'DATABASE_URL',
  timeoutMs: 'WECOM_TIMEOUT_MS',
  maxRetries: 'WECOM_MAX_RETRIES',
} as const satisfies Record<Field, string>;

const SECRET_FIELDS = ['secret', 'callbackToken', 'encodingAESKey'] as const;

/**
 * Validates and completes a configuration. Throws a ConfigError naming the first bad field; changes nothing.
 * The returned object is frozen and redacts secrets when serialised or inspected (also after `{...config}`).
 */
export function resolveConfig(input: WeComConfigInput): WeComConfig {
  return build(input, (field) => field);
}

export interface FromEnvOptions {
  /** Load a `.env` file when present (variables already in `env` win). Default true. */
  dotenv?: boolean;
  /** Path of the `.env` file. Default `.env` in the current directory. */
  dotenvPath?: string;
}

/**
 * Reads WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_API_BASE, WECOM_CALLBACK_TOKEN, WECOM_ENCODING_AES_KEY,
 * DATABASE_URL (and WECOM_TIMEOUT_MS, WECOM_MAX_RETRIES). Errors name the variable. `.env` is parsed with Node's
 * own `util.parseEnv` and does not modify `process.env`.
 */
export function fromEnv(env: Record<string, string | undefined> = process.env, options: FromEnvOptions = {}): WeComConfig {
  const merged: Record<string, string | undefined> = { ...readDotenv(options), ...definedOnly(env) };
  const pick = (field: Field): string | undefined => {
    const value = merged[ENV_VARS[field]];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const input: WeComConfigInput = {
    corpId: pick('corpId'),
    agentId: pick('agentId'),
    secret: pick('secret'),
    baseUrl: pick('baseUrl'),
    callbackToken: pick('callbackToken'),
    encodingAESKey: pick('encodingAESKey'),
    databaseUrl: pick('databaseUrl'),
    timeoutMs: numberOrRaw(pick('timeoutMs')),
    maxRetries: numberOrRaw(pick('maxRetries')),
  };
  return build(input, (field) => ENV_VARS[field]);
}

function readDotenv(options: FromEnvOptions): Record<string, string> {
  if (options.dotenv === false) return {};
  const path = resolve(options.dotenvPath ?? '.env');
  if (!existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError('.env', `could not read ${path}: ${(error as Error).message}`);
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Environment values are strings; numeric settings are parsed here and validated by `build`. */
function numberOrRaw(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

function build(input: WeComConfigInput, name: (field: Field) => string): WeComConfig {
  if (input === null || typeof input !== 'object') {
    throw new ConfigError('config', 'expected an object with corpId, agentId and secret');
  }
  const fail = (field: Field, message: string): never => {
    throw new ConfigError(name(field), message);
  };

  // corpId: ww + 16 hex in practice (legacy wx…); we only insist on a plain identifier so the emulator's ids work.
  const corpId = input.corpId;
  if (corpId === undefined || corpId === '') fail('corpId', 'is required: the CorpID from the admin console (My company → Company information)');
  if (typeof corpId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(corpId)) {
    fail('corpId', 'must be 1-64 letters, digits, "-" or "_" (e.g. ww0123456789abcdef)');
  }

  // agentId: an integer (§1.11; a non-integer agentid gets 40056 from WeCom).
  let agentId: number | undefined;
  const rawAgent = input.agentId;
  if (rawAgent === undefined || rawAgent === '') fail('agentId', "is required: the app's AgentId (an integer, e.g. 1000002)");
  if (typeof rawAgent === 'number') agentId = rawAgent;
  else if (typeof rawAgent === 'string' && /^\d+$/.test(rawAgent.trim())) agentId = Number(rawAgent.trim());
  if (agentId === undefined || !Number.isSafeInteger(agentId) || agentId < 0 || agentId > 2 ** 31 - 1) {
    fail('agentId', "must be a non-negative integer: the app's AgentId, e.g. 1000002");
  }

  // secret: never echoed, not even its length.
  const secret = input.secret;
  if (secret === undefined || secret === '') fail('secret', "is required: the app's Secret (admin console → the app → Secret)");
  if (typeof secret !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(secret)) {
    fail('secret', 'must be printable ASCII without spaces (copy the Secret again; it is shown once in the WeCom client)');
  }

  const baseUrl = checkBaseUrl(input.baseUrl, (message) => fail('baseUrl', message));
  const timeoutMs = checkInteger(input.timeoutMs, DEFAULT_TIMEOUT_MS, 1, 600_000, (m) => fail('timeoutMs', m));
  const maxRetries = checkInteger(input.maxRetries, DEFAULT_MAX_RETRIES, 0, 10, (m) => fail('maxRetries', m));

  const callbackToken = emptyToUndefined(input.callbackToken);
  // §6.1: the callback Token is English letters and digits, at most 32 characters.
  if (callbackToken !== undefined && (typeof callbackToken !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(callbackToken))) {
    fail('callbackToken', 'must be 1-32 letters or digits (the Token from the app\'s "API receive" settings)');
  }

  const encodingAESKey = emptyToUndefined(input.encodingAESKey);
  if (encodingAESKey !== undefined) {
    try {
      assertEncodingAESKey(encodingAESKey);
    } catch (error) {
      // The crypto module's message says what is wrong without echoing the key.
      fail('encodingAESKey', (error as Error).message.replace(/^invalid EncodingAESKey: (it )?/, ''));
    }
  }

  const databaseUrl = emptyToUndefined(input.databaseUrl);
  if (databaseUrl !== undefined) {
    let ok = false;
    try {
      const url = new URL(databaseUrl);
      ok = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      ok = false;
    }
    if (!ok) fail('databaseUrl', 'must be a PostgreSQL connection URL: postgres://user:password@host:5432/database');
  }

  return seal({
    corpId: corpId as string,
    agentId: agentId as number,
    secret: secret as string,
    baseUrl,
    timeoutMs,
    maxRetries,
    ...(callbackToken !== undefined && { callbackToken }),
    ...(encodingAESKey !== undefined && { encodingAESKey }),
    ...(databaseUrl !== undefined && { databaseUrl }),
  });
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function checkBaseUrl(value: string | undefined, fail: (message: string) => never): string {
  if (value === undefined || value === '') return DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`must be an absolute http(s) URL such as ${DEFAULT_BASE_URL} or the emulator's http://127.0.0.1:4100`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('must use http: or https:');
  if (url.search || url.hash || url.username || url.password) fail('must not contain a query, fragment or credentials');
  // Paths are appended as `${baseUrl}/cgi-bin/...`; keep any prefix (a proxy), drop the trailing slash.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function checkInteger(value: number | undefined, fallback: number, min: number, max: number, fail: (m: string) => never): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`must be an integer from ${min} to ${max}`);
  }
  return value;
}

const REDACTED = '[redacted]';

/** A copy of the config safe to log: secrets replaced, the database password removed. */
export function redactConfig(config: WeComConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    corpId: config.corpId,
    agentId: config.agentId,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
  };
  for (const field of SECRET_FIELDS) if (config[field] !== undefined) out[field] = REDACTED;
  if (config.databaseUrl !== undefined) out.databaseUrl = redactUrlPassword(config.databaseUrl);
  return out;
}

function redactUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = REDACTED;
    return url.toString();
  } catch {
    return REDACTED;
  }
}

/**
 * Freezes the config and gives it `toJSON` and `util.inspect.custom` as own enumerable properties, so secrets
 * stay out of logs even after `{...config, timeoutMs: 5000}` copies it.
 */
function seal(config: WeComConfig): WeComConfig {
  const sealed = {
    ...config,
    toJSON(this: WeComConfig) {
      return redactConfig(this);
    },
    [inspect.custom](this: WeComConfig, depth: number, options: object) {
      return `WeComConfig ${inspect(redactConfig(this), { ...options, depth })}`;
    },
  };
  return Object.freeze(sealed);
}

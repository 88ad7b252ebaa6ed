import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_BASE_URL, fromEnv, resolveConfig } from './config.ts';

const SECRET = 'S3cr3tValueThatMustNeverBeLogged_0123456789';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const CALLBACK_TOKEN = 'CallbackTok3n';

const env = (extra: Record<string, string | undefined> = {}) => ({
  WECOM_CORP_ID: 'ww0123456789abcdef',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: SECRET,
  ...extra,
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('fills the defaults', () => {
    const config = resolveConfig({ corpId: 'ww1', agentId: 1000002, secret: SECRET });
    expect(config).toMatchObject({ corpId: 'ww1', agentId: 1000002, secret: SECRET, baseUrl: DEFAULT_BASE_URL, timeoutMs: 10_000, maxRetries: 3 });
    expect(config.callbackToken).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts a numeric-string agentId and trims a trailing slash from baseUrl', () => {
    const config = resolveConfig({ corpId: 'ww1', agentId: '42', secret: SECRET, baseUrl: 'http://127.0.0.1:4100/' });
    expect(config.agentId).toBe(42);
    expect(config.baseUrl).toBe('http://127.0.0.1:4100');
  });

  it.each([
    [{ corpId: undefined }, 'corpId', 'is required'],
    [{ corpId: 'ww 1' }, 'corpId', 'letters, digits'],
    [{ agentId: undefined }, 'agentId', 'is required'],
    [{ agentId: '10.5' }, 'agentId', 'integer'],
    [{ agentId: 1.5 }, 'agentId', 'integer'],
    [{ agentId: -1 }, 'agentId', 'integer'],
    [{ secret: undefined }, 'secret', 'is required'],
    [{ secret: 'has space' }, 'secret', 'printable ASCII'],
    [{ baseUrl: 'qyapi.weixin.qq.com' }, 'baseUrl', 'absolute http(s) URL'],
    [{ baseUrl: 'ftp://example.com' }, 'baseUrl', 'http: or https:'],
    [{ baseUrl: 'https://example.com/?x=1' }, 'baseUrl', 'query'],
    [{ timeoutMs: 0 }, 'timeoutMs', 'integer from 1'],
    [{ maxRetries: 11 }, 'maxRetries', 'from 0 to 10'],
    [{ callbackToken: 'has-dash' }, 'callbackToken', '1-32 letters or digits'],
    [{ encodingAESKey: 'tooShort' }, 'encodingAESKey', 'exactly 43 characters'],
    [{ databaseUrl: 'mysql://x@y/z' }, 'databaseUrl', 'PostgreSQL connection URL'],
  ])('%o → ConfigError naming %s', (override, field, says) => {
    const error = configError(() => resolveConfig({ corpId: 'ww1', agentId: 1000002, secret: SECRET, ...(override as object) }));
    expect(error.variable).toBe(field);
    expect(error.message.startsWith(`${field} `)).toBe(true);
    expect(error.message).toContain(says);
  });

  it('never echoes a bad secret or key', () => {
    const badSecret = 'bad secret with spaces';
    expect(configError(() => resolveConfig({ corpId: 'ww1', agentId: 1, secret: badSecret })).message).not.toContain('bad secret');
    const badKey = 'k'.repeat(42) + '!';
    expect(configError(() => resolveConfig({ corpId: 'ww1', agentId: 1, secret: SECRET, encodingAESKey: badKey })).message).not.toContain('kkkk');
  });

  it('keeps secrets out of JSON.stringify and util.inspect, also after a spread', () => {
    const config = resolveConfig({
      corpId: 'ww1',
      agentId: 1,
      secret: SECRET,
      callbackToken: CALLBACK_TOKEN,
      encodingAESKey: AES_KEY,
      databaseUrl: 'postgres://app:dbpassw0rd@db:5432/pairview',
    });
    const copy = { ...config, timeoutMs: 5000 };
    for (const shown of [JSON.stringify(config), inspect(config), JSON.stringify(copy), inspect(copy), inspect({ nested: { config } }, { depth: 5 })]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(AES_KEY);
      expect(shown).not.toContain(CALLBACK_TOKEN);
      expect(shown).not.toContain('dbpassw0rd');
      expect(shown).toContain('ww1');
    }
    expect(JSON.parse(JSON.stringify(copy))).toMatchObject({ timeoutMs: 5000, secret: '[redacted]' });
    // The values themselves are still there for the code that needs them.
    expect(copy.secret).toBe(SECRET);
  });
});

describe('fromEnv', () => {
  it('reads the documented variables', () => {
    const config = fromEnv(
      env({
        WECOM_API_BASE: 'http://127.0.0.1:4100',
        WECOM_CALLBACK_TOKEN: CALLBACK_TOKEN,
        WECOM_ENCODING_AES_KEY: AES_KEY,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      }),
      { dotenv: false },
    );
    expect(config).toMatchObject({
      corpId: 'ww0123456789abcdef',
      agentId: 1000002,
      secret: SECRET,
      baseUrl: 'http://127.0.0.1:4100',
      callbackToken: CALLBACK_TOKEN,
      encodingAESKey: AES_KEY,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
    });
  });

  it.each([
    [{ WECOM_CORP_ID: undefined }, 'WECOM_CORP_ID', 'is required'],
    [{ WECOM_AGENT_ID: '' }, 'WECOM_AGENT_ID', 'is required'],
    [{ WECOM_AGENT_ID: 'abc' }, 'WECOM_AGENT_ID', 'integer'],
    [{ WECOM_SECRET: undefined }, 'WECOM_SECRET', 'is required'],
    [{ WECOM_API_BASE: 'not a url' }, 'WECOM_API_BASE', 'URL'],
    [{ WECOM_ENCODING_AES_KEY: 'x'.repeat(44) }, 'WECOM_ENCODING_AES_KEY', 'must be exactly 43 characters of A-Z, a-z and 0-9 (got 44 characters)'],
    [{ WECOM_CALLBACK_TOKEN: 'a'.repeat(33) }, 'WECOM_CALLBACK_TOKEN', '1-32'],
    [{ DATABASE_URL: 'not-a-url' }, 'DATABASE_URL', 'PostgreSQL'],
    [{ WECOM_TIMEOUT_MS: '5s' }, 'WECOM_TIMEOUT_MS', 'integer'],
  ])('%o → ConfigError naming %s', (override, variable, says) => {
    const error = configError(() => fromEnv(env(override), { dotenv: false }));
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`${variable} `);
    expect(error.message).toContain(says);
  });

  it('loads .env when present; variables already set win; process.env is untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, `# comment\nWECOM_CORP_ID=wwFromFile\nWECOM_AGENT_ID=7\nWECOM_SECRET="${SECRET}"\nWECOM_API_BASE=http://127.0.0.1:9\n`);
    const config = fromEnv({ WECOM_AGENT_ID: '1000002' }, { dotenvPath: path });
    expect(config).toMatchObject({ corpId: 'wwFromFile', agentId: 1000002, secret: SECRET, baseUrl: 'http://127.0.0.1:9' });
    expect(process.env.WECOM_CORP_ID).not.toBe('wwFromFile');
  });

  it('skips .env when told to, and when the file is absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'WECOM_CORP_ID=wwFromFile\n');
    expect(fromEnv(env(), { dotenv: false, dotenvPath: path }).corpId).toBe('ww0123456789abcdef');
    expect(configError(() => fromEnv({}, { dotenvPath: join(dir, 'missing.env') })).variable).toBe('WECOM_CORP_ID');
  });
});

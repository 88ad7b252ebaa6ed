import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const AES_KEY = 'a'.repeat(43);
const wecom = {
  WECOM_CORP_ID: 'ww1234567890',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's3cr3t',
  WECOM_CALLBACK_TOKEN: 'tok',
  WECOM_ENCODING_AES_KEY: AES_KEY,
};

describe('loadConfig', () => {
  it('starts with no configuration at all: port 3000, embedded PostgreSQL, Chinese, no WeCom app', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.publicUrl.toString()).toBe('http://localhost:3000/');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.embeddedPostgres.dataDir).toMatch(/\/\.data\/postgres$/);
    expect(config.locale).toBe('zh');
    expect(config.timeZone).toBe('Asia/Shanghai');
    expect(config.wecom).toBeUndefined();
    expect([...config.admins]).toEqual([]);
  });

  it('reads admins, locale, database and a complete WeCom app', () => {
    const config = loadConfig({
      PAIRVIEW_ADMINS: ' zhangsan, lisi ,,',
      PAIRVIEW_LOCALE: 'en',
      DATABASE_URL: 'postgres://u:p@db:5432/pairview',
      PORT: '8080',
      ...wecom,
    });
    expect([...config.admins]).toEqual(['zhangsan', 'lisi']);
    expect(config.locale).toBe('en');
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/pairview');
    expect(config.publicUrl.toString()).toBe('http://localhost:8080/');
    expect(config.wecom).toEqual({ corpId: 'ww1234567890', agentId: 1000002, secret: 's3cr3t', callbackToken: 'tok', encodingAesKey: AES_KEY });
  });

  it('reads the optional WeCom origins (a forward proxy or a stand-in) for a real app; unset means WeCom itself', () => {
    expect(loadConfig(wecom).wecom).not.toHaveProperty('apiBase');
    const config = loadConfig({
      ...wecom,
      WECOM_API_BASE: 'http://proxy.internal:8080/wecom/',
      WECOM_OAUTH_BASE: 'https://open.example.com',
      WECOM_LOGIN_BASE: 'https://login.example.com/',
    });
    expect(config.wecom).toMatchObject({
      apiBase: 'http://proxy.internal:8080/wecom',
      oauthBase: 'https://open.example.com',
      loginBase: 'https://login.example.com',
    });
  });

  it.each([
    [{ ...wecom, WECOM_API_BASE: 'qyapi.weixin.qq.com' }, /WECOM_API_BASE must be an http\(s\) URL without query, fragment or credentials, such as https:\/\/qyapi.weixin.qq.com/],
    [{ ...wecom, WECOM_OAUTH_BASE: 'ftp://open.example.com' }, /WECOM_OAUTH_BASE must be an http\(s\) URL/],
    [{ ...wecom, WECOM_LOGIN_BASE: 'https://login.example.com/?x=1' }, /WECOM_LOGIN_BASE must be an http\(s\) URL/],
    [{ WECOM_API_BASE: 'http://127.0.0.1:4100' }, /WECOM_API_BASE is set without a WeCom app: set all five WECOM_\* app variables too/],
    [{ PORT: 'eighty' }, /PORT must be a whole number from 0 to 65535; got "eighty"/],
    [{ PAIRVIEW_LOCALE: 'fr' }, /PAIRVIEW_LOCALE must be zh or en; got "fr"/],
    [{ PAIRVIEW_PUBLIC_URL: 'pairview.example.com' }, /PAIRVIEW_PUBLIC_URL must be an absolute http\(s\) URL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a PostgreSQL URL/],
    [{ PAIRVIEW_TIME_ZONE: 'Mars/Olympus' }, /PAIRVIEW_TIME_ZONE must be an IANA time zone/],
    [{ SESSION_SECRET: 'short' }, /SESSION_SECRET must be at least 32 characters/],
    [{ PAIRVIEW_PUBLIC_URL: 'https://pairview.example.com' }, /SESSION_SECRET is required when PAIRVIEW_PUBLIC_URL is https/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_SECRET: 'x' }, /WECOM_AGENT_ID, WECOM_CALLBACK_TOKEN, WECOM_ENCODING_AES_KEY are not set, but WECOM_CORP_ID, WECOM_SECRET are/],
    [{ ...wecom, WECOM_AGENT_ID: 'agent' }, /WECOM_AGENT_ID must be the app's numeric AgentId/],
    [{ ...wecom, WECOM_ENCODING_AES_KEY: 'short' }, /WECOM_ENCODING_AES_KEY must be the 43-character EncodingAESKey/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never puts a secret in an error message', () => {
    let message = '';
    try {
      loadConfig({ ...wecom, WECOM_ENCODING_AES_KEY: 'not-a-valid-key-but-secret' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/WECOM_ENCODING_AES_KEY/);
    expect(message).not.toContain('not-a-valid-key-but-secret');
    expect(message).not.toContain('s3cr3t');
  });

  it('.env.example at the repository root lists every variable loadConfig reads', () => {
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const read = new Set([...source.matchAll(/'((?:WECOM|PAIRVIEW|DATABASE|SESSION|LOG|PORT|HOST)[A-Z_]*)'/g)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(15);
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });
});

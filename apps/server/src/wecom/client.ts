/**
 * The WeComClient Pairview uses: the app from WECOM_* (or the emulator's demo app), the access token kept in
 * PostgreSQL on the process's own pool, so every Pairview process (web and worker alike) shares one token and a
 * cluster makes one gettoken per expiry (packages/wecom README, "One token for a cluster").
 */
import { PostgresTokenStore, WeComClient } from '@pairview/wecom';
import type pg from 'pg';
import type { WeComAppConfig } from '../config.ts';

export interface ClientOptions {
  app: WeComAppConfig;
  pool: pg.Pool;
  /**
   * Development: the emulator's URL, used for the API and for the OAuth pages (it serves WeCom's paths).
   * Undefined: the app's origins (`app.apiBase` …), by default WeCom itself (qyapi.weixin.qq.com,
   * open.weixin.qq.com, login.work.weixin.qq.com).
   */
  emulatorUrl?: string | undefined;
}

export function createWeComClient({ app, pool, emulatorUrl }: ClientOptions): WeComClient {
  return new WeComClient({
    corpId: app.corpId,
    agentId: app.agentId,
    secret: app.secret,
    // Carried by client.config for the callback receiver (inbound/); never logged (the SDK redacts them).
    callbackToken: app.callbackToken,
    encodingAESKey: app.encodingAesKey,
    // The store uses Pairview's pool and does not end it; main.ts closes the pool after the worker stops.
    store: new PostgresTokenStore({ pool }),
    // WECOM_API_BASE / WECOM_OAUTH_BASE / WECOM_LOGIN_BASE (a forward proxy, a stand-in); unset: WeCom's origins.
    ...(app.apiBase && { baseUrl: app.apiBase }),
    ...(app.oauthBase && { oauthBaseUrl: app.oauthBase }),
    ...(app.loginBase && { loginBaseUrl: app.loginBase }),
    ...(emulatorUrl && { baseUrl: emulatorUrl, oauthBaseUrl: emulatorUrl, loginBaseUrl: emulatorUrl }),
  });
}

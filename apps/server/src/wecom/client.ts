/**
 * The WeComClient Pairview uses: the app from WECOM_* (or the emulator's demo app), the access token and WeCom's
 * quotas kept in PostgreSQL on the process's own pool, so every Pairview process (web and worker alike) shares one
 * token — a cluster makes one gettoken per expiry — and one quota: together they never send faster than WeCom
 * allows (packages/wecom README, "One token for a cluster", "Quotas").
 */
import { PostgresQuotaStore, PostgresTokenStore, WeComClient } from '@pairview/wecom';
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
  /** The corp's seat limit (config.seatLimit): the app's daily message quota is seat limit × 200 person-times. */
  seatLimit?: number | undefined;
}

export function createWeComClient({ app, pool, emulatorUrl, seatLimit }: ClientOptions): WeComClient {
  return new WeComClient({
    corpId: app.corpId,
    agentId: app.agentId,
    secret: app.secret,
    // Carried by client.config for the callback receiver (inbound/); never logged (the SDK redacts them).
    callbackToken: app.callbackToken,
    encodingAESKey: app.encodingAesKey,
    // The store uses Pairview's pool and does not end it; main.ts closes the pool after the worker stops.
    store: new PostgresTokenStore({ pool }),
    quotaStore: new PostgresQuotaStore({ pool }),
    ...(seatLimit !== undefined && { seatLimit }),
    // WECOM_API_BASE / WECOM_OAUTH_BASE / WECOM_LOGIN_BASE (a forward proxy, a stand-in); unset: WeCom's origins.
    ...(app.apiBase && { baseUrl: app.apiBase }),
    ...(app.oauthBase && { oauthBaseUrl: app.oauthBase }),
    ...(app.loginBase && { loginBaseUrl: app.loginBase }),
    ...(emulatorUrl && { baseUrl: emulatorUrl, oauthBaseUrl: emulatorUrl, loginBaseUrl: emulatorUrl }),
  });
}

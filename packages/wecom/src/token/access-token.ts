/**
 * The access token's fetcher: `GET /cgi-bin/gettoken?corpid=&corpsecret=` (§2), sent through the pipeline
 * without a token (`auth: 'none'`), so it gets the same timeouts, transient retries and events as any call.
 * The secret travels only in that query string, which is never logged or emitted.
 */
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import type { CredentialFetcher } from './credential-cache.ts';

interface GettokenResponse extends WeComResponse {
  access_token?: string;
  /** Normally 7200 (seconds). */
  expires_in?: number;
}

export function accessTokenFetcher(caller: ApiCaller, corpId: string, secret: string): CredentialFetcher {
  return async () => {
    const response = await caller.call<GettokenResponse>({
      method: 'GET',
      path: '/cgi-bin/gettoken',
      query: { corpid: corpId, corpsecret: secret },
      auth: 'none',
      retry: 'idempotent',
    });
    return { value: response.access_token ?? '', expiresInSeconds: Number(response.expires_in) };
  };
}

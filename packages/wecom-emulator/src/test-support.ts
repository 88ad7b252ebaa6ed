/**
 * Helpers for the emulator's own conformance tests: a started emulator on port 0 and plain-fetch calls (not the
 * SDK, so the emulator is tested on its own).
 */
import type { EmulatorOptions } from './config.ts';
import { type Emulator, startEmulator } from './emulator.ts';

export interface WeComBody {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export interface TestEmulator extends Emulator {
  /** GET/POST a WeCom path with plain fetch; JSON body for POST. Resolves with the parsed JSON. */
  call(path: string, options?: { query?: Record<string, string | number>; body?: unknown; method?: 'GET' | 'POST'; token?: string | null }): Promise<WeComBody>;
  /** A fresh access token of the main app (or of the given secret). */
  token(secret?: string): Promise<string>;
  /** POST message/send with the main app's token and agentid filled in. */
  send(message: Record<string, unknown>, token?: string): Promise<WeComBody>;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ port: 0, ...options });
  const call: TestEmulator['call'] = async (path, { query = {}, body, method, token } = {}) => {
    const url = new URL(path, emu.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    if (token) url.searchParams.set('access_token', token);
    const response = await fetch(url, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return (await response.json()) as WeComBody;
  };
  // gettoken returns the same token while it is valid, so asking each time costs nothing and survives resets.
  const token = async (secret = emu.secret) => {
    const result = await call('/cgi-bin/gettoken', { query: { corpid: emu.corpId, corpsecret: secret } });
    if (result.errcode !== 0) throw new Error(`gettoken failed: ${result.errmsg}`);
    return result.access_token as string;
  };
  return {
    ...emu,
    call,
    token,
    send: async (message, accessToken) => call('/cgi-bin/message/send', { body: { agentid: emu.agentId, ...message }, token: accessToken ?? (await token()) }),
  };
}

/** Matches the current errmsg format (§1.7) and returns its parts. */
export const ERRMSG_FORMAT = /^(.*?), hint: \[(\d{25})\], from ip: ([^,]*), more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=(-?\d+)$/;

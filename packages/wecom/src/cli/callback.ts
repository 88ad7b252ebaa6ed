/**
 * `wecom callback verify-url` and `wecom callback decrypt`: open captured callback requests offline with the
 * receiver's own checks (signature, padding, receive id), minus the timestamp window.
 */
import { parseArgs } from 'node:util';
import type { CallbackCredentials } from '../callback/crypto.ts';
import { decryptCallback, verifyUrl } from '../callback/verify.ts';
import { requireEnv } from './env.ts';
import { printJson, readAll, UsageError, type CliIO } from './io.ts';

const SIGNED = {
  'msg-signature': { type: 'string' },
  timestamp: { type: 'string' },
  nonce: { type: 'string' },
} as const;

export async function callbackCommand(args: string[], io: CliIO, env: Record<string, string | undefined>): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'verify-url') {
    const { values } = parseArgs({ args: rest, options: { ...SIGNED, echostr: { type: 'string' } }, strict: true, allowPositionals: false });
    const params = { ...signedParams(values), echostr: required(values.echostr, '--echostr') };
    const echo = verifyUrl(credentials(env), params);
    // The plaintext exactly, as the callback URL must answer it; a newline only for a terminal.
    io.stdout.write(io.stdout.isTTY ? `${echo}\n` : echo);
    return;
  }
  if (sub === 'decrypt') {
    const { values } = parseArgs({ args: rest, options: { ...SIGNED, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
    const params = signedParams(values);
    const creds = credentials(env);
    const body = await readAll(io.stdin);
    if (body.trim() === '') throw new UsageError('no body on stdin: pipe the POST body (the <xml><Encrypt>… envelope) into this command');
    const opened = decryptCallback(creds, { ...params, body });
    if (values.json) printJson(io, opened.event);
    else io.stdout.write(opened.xml.endsWith('\n') ? opened.xml : `${opened.xml}\n`);
    return;
  }
  throw new UsageError(sub ? `unknown callback command "${sub}"; use verify-url or decrypt` : 'callback needs a command: verify-url or decrypt');
}

function signedParams(values: { 'msg-signature'?: string; timestamp?: string; nonce?: string }) {
  return {
    msgSignature: required(values['msg-signature'], '--msg-signature'),
    timestamp: required(values.timestamp, '--timestamp'),
    nonce: required(values.nonce, '--nonce'),
  };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** The callback settings only: these commands need no app secret. */
function credentials(env: Record<string, string | undefined>): CallbackCredentials {
  return {
    corpId: requireEnv(env, 'WECOM_CORP_ID', 'the CorpID callbacks are encrypted for'),
    token: requireEnv(env, 'WECOM_CALLBACK_TOKEN', 'the callback Token from the app\'s "API receive" settings'),
    encodingAESKey: requireEnv(env, 'WECOM_ENCODING_AES_KEY', 'the EncodingAESKey from the app\'s "API receive" settings'),
  };
}

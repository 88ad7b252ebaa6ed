/**
 * `wecom callback …` as a child process, on the official §6.9 vectors and on events signed by the SDK's testing
 * helper. No WeCom needed: these commands open captured requests offline.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeSignature } from '../../src/callback/crypto.ts';
import { buildEncryptedEnvelope } from '../../src/callback/xml.ts';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors, signCallback } from '../../src/testing/index.ts';
import { runCli } from './cli-helpers.ts';

const env = { WECOM_CORP_ID: creds.corpId, WECOM_CALLBACK_TOKEN: creds.token, WECOM_ENCODING_AES_KEY: creds.encodingAESKey };

/** An envelope around any Encrypt value, signed with the official vector's token, timestamp and nonce. */
function signCallbackEnvelope(encrypt: string) {
  const q = vectors.message.query;
  return { signature: computeSignature(creds.token, q.timestamp, q.nonce, encrypt), body: buildEncryptedEnvelope({ toUserName: creds.corpId, encrypt }) };
}

describe('wecom callback verify-url', () => {
  it('prints the decrypted echostr of the official vector, and nothing else', async () => {
    const q = vectors.urlVerification.query;
    const r = await runCli(['callback', 'verify-url', '--msg-signature', q.msg_signature, '--timestamp', q.timestamp, '--nonce', q.nonce, '--echostr', q.echostr], { env });
    expect(r).toEqual({ code: 0, stdout: vectors.urlVerification.plaintext, stderr: '' });
  });

  it('exits 2 on a bad signature, saying so', async () => {
    const q = vectors.urlVerification.query;
    const r = await runCli(['callback', 'verify-url', '--msg-signature', '0'.repeat(40), '--timestamp', q.timestamp, '--nonce', q.nonce, '--echostr', q.echostr], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/signature/i);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on an invalid EncodingAESKey and says so without printing it', async () => {
    const q = vectors.urlVerification.query;
    const badKey = `${creds.encodingAESKey.slice(0, 42)}!`;
    const r = await runCli(['callback', 'verify-url', '--msg-signature', q.msg_signature, '--timestamp', q.timestamp, '--nonce', q.nonce, '--echostr', q.echostr], {
      env: { ...env, WECOM_ENCODING_AES_KEY: badKey },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid EncodingAESKey');
    expect(r.stderr).not.toContain(badKey);
  });

  it('exits 2 naming a missing flag or variable', async () => {
    const missingFlag = await runCli(['callback', 'verify-url', '--timestamp', '1', '--nonce', '2', '--echostr', 'x'], { env });
    expect(missingFlag.code).toBe(2);
    expect(missingFlag.stderr).toContain('--msg-signature is required');
    const q = vectors.urlVerification.query;
    const missingVar = await runCli(['callback', 'verify-url', '--msg-signature', q.msg_signature, '--timestamp', q.timestamp, '--nonce', q.nonce, '--echostr', q.echostr], {
      env: { WECOM_CORP_ID: creds.corpId, WECOM_ENCODING_AES_KEY: creds.encodingAESKey },
    });
    expect(missingVar.code).toBe(2);
    expect(missingVar.stderr).toContain('WECOM_CALLBACK_TOKEN is not set');
  });
});

describe('wecom callback decrypt', () => {
  const q = vectors.message.query;
  const args = ['callback', 'decrypt', '--msg-signature', q.msg_signature, '--timestamp', q.timestamp, '--nonce', q.nonce];

  it('prints the decrypted XML of the official vector (a 2014 timestamp: no window applies)', async () => {
    const r = await runCli(args, { env, stdin: vectors.message.body });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${vectors.message.plaintext}\n`);
  });

  it('--json prints the typed event', async () => {
    const r = await runCli([...args, '--json'], { env, stdin: vectors.message.body });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'text', content: 'hello', fromUserName: 'mycreate' });
  });

  it('opens an event signed by @pairview/wecom/testing', async () => {
    const ours = { token: 'Tok123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', corpId: 'wwtestcorp' };
    const signed = signCallback({ ...ours, xml: '<xml><ToUserName><![CDATA[wwtestcorp]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>1000002</AgentID></xml>' });
    const r = await runCli(['callback', 'decrypt', '--msg-signature', signed.query.msg_signature, '--timestamp', signed.query.timestamp, '--nonce', signed.query.nonce, '--json'], {
      env: { WECOM_CORP_ID: ours.corpId, WECOM_CALLBACK_TOKEN: ours.token, WECOM_ENCODING_AES_KEY: ours.encodingAESKey },
      stdin: signed.body,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'enter_agent', fromUserName: 'lisi' });
  });

  it('exits 2 when the message was encrypted for another CorpID', async () => {
    const r = await runCli(args, { env: { ...env, WECOM_CORP_ID: 'wwsomeoneelse' }, stdin: vectors.message.body });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('receive id');
  });

  it('exits 2 and says why on every refusal: invalid EncodingAESKey (not printed), bad signature, bad padding, not an envelope', async () => {
    const badKey = `${creds.encodingAESKey.slice(0, 40)}-_!`;
    // A correctly signed POST whose ciphertext has one bit flipped in the second-to-last block: only the padding changes.
    const bytes = Buffer.from(vectors.message.encrypt, 'base64');
    bytes[bytes.length - 17]! ^= 0x01;
    const badPadding = signCallbackEnvelope(bytes.toString('base64'));
    const [key, signature, padding, envelope] = await Promise.all([
      runCli(args, { env: { ...env, WECOM_ENCODING_AES_KEY: badKey }, stdin: vectors.message.body }),
      runCli(['callback', 'decrypt', '--msg-signature', '0'.repeat(40), '--timestamp', q.timestamp, '--nonce', q.nonce], { env, stdin: vectors.message.body }),
      runCli(['callback', 'decrypt', '--msg-signature', badPadding.signature, '--timestamp', q.timestamp, '--nonce', q.nonce], { env, stdin: badPadding.body }),
      runCli(args, { env, stdin: '<xml><ToUserName>x</ToUserName></xml>' }),
    ]);
    for (const r of [key, signature, padding, envelope]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(key.stderr).toContain('invalid EncodingAESKey');
    expect(key.stderr).not.toContain(badKey);
    expect(signature.stderr).toMatch(/signature/i);
    expect(padding.stderr).toContain('bad padding');
    expect(envelope.stderr).toMatch(/Encrypt/);
  });

  it('exits 2 on an empty stdin', async () => {
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no body on stdin');
  });
});

describe('wecom --help', () => {
  it('lists every command form of the contract', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const form of [
      'wecom send text --to u1,u2 [--party 1,2] [--tag 3] "content"',
      'wecom send markdown --to',
      'wecom send --json message.json',
      'wecom recall MSGID',
      'wecom user get USERID',
      'wecom user list --department ID',
      'wecom department list',
      'wecom callback verify-url --msg-signature S --timestamp T --nonce N --echostr E',
      'wecom callback decrypt --msg-signature S --timestamp T --nonce N',
      'wecom jssdk sign --url URL [--agent]',
    ]) {
      expect(r.stdout).toContain(form);
    }
  });

  it('works as `npx wecom --help` from the repository root (the workspace bin link that npm ci makes)', async () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('npx', ['--no-install', 'wecom', '--help'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wecom callback verify-url --msg-signature S --timestamp T --nonce N --echostr E');
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const r = await runCli(['callback', 'verify-url', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
  });
});

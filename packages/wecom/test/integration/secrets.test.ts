/**
 * Issue 2 item 2: "Tokens and secrets never appear in logs, errors or CLI output." One run through every path that
 * produces text — successes, token refreshes (40014, 42001, refresh ahead), failed background refreshes, transient
 * retries, business errors (60111, 60020), HTTP errors, dropped connections, timeouts, connection refused, a wrong
 * secret, bad settings, a robot with an unknown key, refused callbacks, and the CLI as a child process — then every
 * error (message, stack, util.inspect with its causes, JSON), every event payload, the inspected client and all CLI
 * output is searched for every credential that existed during the run: the app secret, a wrong secret, every access
 * token and JS-SDK ticket the emulator issued, the robot keys, the callback Token and EncodingAESKey.
 */
import { inspect } from 'node:util';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WeComClient } from '../../src/client.ts';
import { createCallbackHandler } from '../../src/callback/receiver.ts';
import type { WeComEventName } from '../../src/events.ts';
import { robotMessage, text } from '../../src/messages/index.ts';
import { signCallback, signUrlVerification } from '../../src/testing/index.ts';
import { runCli, type CliResult } from './cli-helpers.ts';
import { useEmulator } from './setup.ts';

const h = useEmulator();

const EVENTS: WeComEventName[] = ['request', 'response', 'retry', 'token:refresh', 'token:invalidate', 'token:error', 'limiter:wait'];
const WRONG_SECRET = 'WrongSecretXyz0123456789abcdefABCDEF';
const UNKNOWN_ROBOT_KEY = '5f0e3c1a-9b7d-4e2f-8a6c-0d1b2c3e4f5a';
const callback = { token: 'SecretCallbackTok9', encodingAESKey: 'QmFzZTY0U2VjcmV0S2V5Rm9yQ2FsbGJhY2tzMTIzNDU' };

/** Everything a person could read: collected over the whole file, searched at the end. */
const shown: string[] = [];
const issued = new Set<string>();

function showError(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  const e = error as Error;
  shown.push(e.message, String(e.stack), inspect(e, { depth: Infinity }), JSON.stringify(e) ?? '');
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  showError(error);
  return error as Error;
}

function observed(client: WeComClient): WeComClient {
  for (const name of EVENTS) client.on(name, (payload) => void shown.push(JSON.stringify(payload), inspect(payload, { depth: Infinity })));
  return client;
}

/** Records every access token and ticket the emulator hands out (white-box: the state is exported for this). */
function recordIssuedCredentials(): void {
  const { tokens, tickets } = h.emu.state;
  const issueToken = tokens.issue.bind(tokens);
  tokens.issue = (...args) => {
    const token = issueToken(...args);
    issued.add(token.token);
    return token;
  };
  const issueTicket = tickets.issue.bind(tickets);
  tickets.issue = (...args) => {
    const ticket = issueTicket(...args);
    issued.add(ticket.ticket);
    return ticket;
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterAll(() => {
  // Guard against a run that collected nothing (the search below would then prove nothing).
  expect(shown.length).toBeGreaterThan(100);
});

describe('no credential in errors, events or CLI output', () => {
  it('SDK: every path that produces an error or an event', async () => {
    recordIssuedCredentials();
    const start = Date.now();
    let offset = 0;
    const now = () => start + offset;
    // frequencyBlockMs 0: this clock stands still, so a 60 s block after the 45009 below would never end.
    const client = observed(
      new WeComClient({ corpId: h.emu.corpId, agentId: h.emu.agentId, secret: h.emu.secret, baseUrl: h.emu.url, maxRetries: 1, timeoutMs: 300, now, frequencyBlockMs: 0 }),
    );

    // Success, then tokens WeCom stops accepting: revoked (40014) and expired (42001).
    await client.message.send({ toUser: ['lina'] }, text('hello'));
    h.emu.control.revokeTokens();
    await client.contacts.getUser('lina');
    h.emu.control.advanceClock(7300);
    await client.contacts.getUser('lina');

    // Refresh ahead at 80% that fails in the background (token:error), then succeeds.
    offset += 6_000_000;
    h.emu.control.injectFault({ path: '/cgi-bin/gettoken', errcodes: [-1, -1] });
    await client.contacts.getUser('lina');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.tokens.refreshIfDue({ tickets: true });
    await client.jssdk.configSignature('https://app.example/room/1');
    await client.jssdk.agentConfigSignature('https://app.example/room/1');

    // Transient errors retried; then failures of every kind.
    h.emu.control.injectFault({ path: '/cgi-bin/user/get', errcodes: [-1] });
    await client.contacts.getUser('lina');
    await failure(client.contacts.getUser('no_such_member'));
    h.emu.control.injectFault({ path: '/cgi-bin/user/get', errcodes: [60020, 60020] });
    const trusted = await failure(client.contacts.getUser('lina'));
    expect(trusted.message).toContain('127.0.0.1');
    h.emu.control.injectFault({ path: '/cgi-bin/user/get', errcodes: [45009, 45009] });
    await failure(client.contacts.getUser('lina'));
    h.emu.control.injectFault({ path: '/cgi-bin/user/get', httpStatus: 502, times: 2 });
    await failure(client.contacts.getUser('lina'));
    h.emu.control.injectFault({ path: '/cgi-bin/message/send', drop: true });
    await failure(client.message.send({ toUser: ['lina'] }, text('dropped')));
    h.emu.control.injectFault({ path: '/cgi-bin/user/get', latencyMs: 1_000, times: 2 });
    await failure(client.contacts.getUser('lina'));
    await failure(client.call({ method: 'GET', path: '/cgi-bin/message.send' }));
    await failure(client.message.send({ toUser: Array.from({ length: 1001 }, (_, i) => `u${i}`) }, text('too many')));

    // A robot with an unknown key, and one that cannot be reached.
    await failure(client.robot(UNKNOWN_ROBOT_KEY).send(robotMessage.text('hi')));
    await client.robot(h.emu.robotKeys[0]!).send(robotMessage.text('hi'));

    // A wrong secret, an unreachable WeCom, bad settings.
    const wrong = observed(h.client({ secret: WRONG_SECRET }));
    await failure(wrong.contacts.getUser('lina'));
    const unreachable = observed(new WeComClient({ corpId: h.emu.corpId, agentId: h.emu.agentId, secret: h.emu.secret, baseUrl: `http://127.0.0.1:${await closedPort()}`, maxRetries: 1 }));
    await failure(unreachable.contacts.getUser('lina'));
    await failure(unreachable.robot(h.emu.robotKeys[0]!).send(robotMessage.text('hi')));
    await unreachable.close();
    for (const bad of [{ secret: `${h.emu.secret} ` }, { encodingAESKey: `${callback.encodingAESKey}!` }, { callbackToken: `${callback.token}-` }, { databaseUrl: `mysql://u:${h.emu.secret}@db/x` }]) {
      await failure(Promise.resolve().then(() => new WeComClient({ corpId: h.emu.corpId, agentId: h.emu.agentId, secret: h.emu.secret, ...bad })));
    }

    // What a developer prints while debugging.
    shown.push(inspect(client, { depth: Infinity }), inspect(client.config), JSON.stringify(client.config), inspect(client.robot(h.emu.robotKeys[0]!)), JSON.stringify(client.robot(h.emu.robotKeys[0]!)));
    await client.close();
    expect(issued.size).toBeGreaterThanOrEqual(5);
  });

  it('callbacks: refused requests and failing handlers', async () => {
    const errors: Error[] = [];
    const receiver = createCallbackHandler({ ...callback, corpId: h.emu.corpId, onError: (error) => void errors.push(error) });
    receiver.on('text', () => {
      throw new Error('handler failed');
    });
    const xml = `<xml><ToUserName><![CDATA[${h.emu.corpId}]]></ToUserName><FromUserName><![CDATA[lina]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1234567890123456</MsgId><AgentID>${h.emu.agentId}</AgentID></xml>`;
    const signed = signCallback({ ...callback, corpId: h.emu.corpId, xml });
    await failure(receiver.receive({ query: { ...signed.query, msg_signature: '0'.repeat(40) }, body: signed.body }));
    const otherCorp = signCallback({ ...callback, corpId: 'wwsomeoneelse', xml });
    await failure(receiver.receive({ query: { ...otherCorp.query }, body: otherCorp.body }));
    const otherKey = signCallback({ token: callback.token, encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', corpId: h.emu.corpId, xml });
    await failure(receiver.receive({ query: { ...otherKey.query }, body: otherKey.body }));
    await failure(receiver.receive({ query: { ...signed.query }, body: '<xml><nope/></xml>' }));
    const verification = signUrlVerification({ ...callback, corpId: h.emu.corpId, echostr: 'plain-echo' });
    await failure(receiver.verifyUrl({ ...verification.query, nonce: 'changed' }));
    await receiver.receive({ query: { ...signed.query }, body: signed.body }).catch(showError);
    await receiver.idle();
    await failure(Promise.resolve().then(() => createCallbackHandler({ ...callback, encodingAESKey: `${callback.encodingAESKey.slice(0, 40)}???`, corpId: h.emu.corpId })));
    expect(errors.length).toBeGreaterThan(0);
    errors.forEach(showError);
  });

  it('CLI: output and errors of every exit code', async () => {
    const env = {
      WECOM_CORP_ID: h.emu.corpId,
      WECOM_AGENT_ID: String(h.emu.agentId),
      WECOM_SECRET: h.emu.secret,
      WECOM_API_BASE: h.emu.url,
      WECOM_MAX_RETRIES: '0',
      WECOM_CALLBACK_TOKEN: callback.token,
      WECOM_ENCODING_AES_KEY: callback.encodingAESKey,
    };
    const signed = signCallback({ ...callback, corpId: h.emu.corpId, xml: `<xml><ToUserName><![CDATA[${h.emu.corpId}]]></ToUserName><FromUserName><![CDATA[lina]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>1000002</AgentID></xml>` });
    const decrypt = ['callback', 'decrypt', '--msg-signature', signed.query.msg_signature, '--timestamp', signed.query.timestamp, '--nonce', signed.query.nonce, '--json'];
    const port = await closedPort();
    // One process per exit code (and the JS-SDK ticket path), run at once.
    const runs: Array<[number, Promise<CliResult>]> = [
      [0, runCli(['send', 'text', '--to', 'lina', 'hello from the CLI'], { env })],
      [0, runCli(['jssdk', 'sign', '--url', 'https://app.example/room/1', '--agent'], { env })],
      [1, runCli(['user', 'get', 'lina'], { env: { ...env, WECOM_SECRET: WRONG_SECRET } })],
      [2, runCli(decrypt, { env: { ...env, WECOM_ENCODING_AES_KEY: `${callback.encodingAESKey.slice(0, 42)}!` }, stdin: signed.body })],
      [3, runCli(['recall', 'some-msgid'], { env: { ...env, WECOM_API_BASE: `http://127.0.0.1:${port}` } })],
    ];
    for (const [code, run] of runs) {
      const result = await run;
      expect(result.code, result.stderr).toBe(code);
      shown.push(result.stdout, result.stderr);
    }
  });

  it('none of them shows a secret, a token, a ticket or a key', () => {
    const credentials = [h.emu.secret, WRONG_SECRET, h.emu.contactSyncSecret, ...h.emu.robotKeys, UNKNOWN_ROBOT_KEY, callback.token, callback.encodingAESKey, ...issued];
    expect(issued.size).toBeGreaterThanOrEqual(5);
    const all = shown.join('\n');
    for (const credential of credentials) {
      expect(all.includes(credential), `a credential (${credential.slice(0, 4)}…) appears in what was shown`).toBe(false);
    }
  });
});

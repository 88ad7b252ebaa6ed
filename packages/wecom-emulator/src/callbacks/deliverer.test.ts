import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as officialCrypto from '@wecom/crypto';
import {
  decryptMessage,
  encryptPassiveReply,
  parseCallbackEvent,
  parseEncryptedEnvelope,
  passiveReplyXml,
  verifySignature,
  type PassiveReply,
} from '@pairview/wecom/callback';
import { officialCallbackCredentials, officialCallbackVectors } from '@pairview/wecom/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorClock } from '../state/clock.ts';
import { CallbackNotConfiguredError } from '../state/index.ts';
import { CallbackDeliverer, type ApplyReply } from './deliverer.ts';
import { completeEvent } from './events.ts';

const credentials = officialCallbackCredentials;
const corpId = credentials.corpId;

/** What the test receiver saw of one request. */
interface Seen {
  method: string;
  query: URLSearchParams;
  body: string;
}
type Answer = (req: Seen, res: ServerResponse) => void;

/**
 * A real HTTP receiver on an ephemeral port: each request is answered by the next queued answer (the last one
 * repeats). Written with the SDK's crypto only, so it checks the emulator's requests independently.
 */
async function startReceiver(...answers: Answer[]): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const entry = { method: req.method ?? '', query: new URL(req.url ?? '/', 'http://x').searchParams, body: Buffer.concat(chunks).toString('utf8') };
    seen.push(entry);
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    answer(entry, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wecom/callback?app=demo`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ok: Answer = (_req, res) => res.end('');
const status =
  (code: number): Answer =>
  (_req, res) => {
    res.statusCode = code;
    res.end('busy');
  };
/** Never answers; the deliverer's timeout must end the attempt. */
const hang: Answer = () => {};
/** Decrypts the echostr and answers it, as a correct receiver does (§6.2). */
const echo =
  (suffix = ''): Answer =>
  (req, res) => {
    const echostr = req.query.get('echostr') ?? '';
    if (!verifySignature(credentials.token, req.query.get('timestamp')!, req.query.get('nonce')!, echostr, req.query.get('msg_signature')!)) {
      res.statusCode = 403;
      res.end('bad signature');
      return;
    }
    res.end(decryptMessage(credentials.encodingAESKey, echostr, corpId).message + suffix);
  };
/** Answers with an encrypted passive reply addressed to the member who sent the event. */
const reply =
  (make: PassiveReply | ((member: string) => string)): Answer =>
  (req, res) => {
    const { encrypt } = parseEncryptedEnvelope(req.body);
    const event = parseCallbackEvent(decryptMessage(credentials.encodingAESKey, encrypt, corpId).message);
    const member = event.type === 'unknown' ? '' : event.fromUserName;
    const plaintext = typeof make === 'function' ? make(member) : passiveReplyXml(make, { toUserName: member, fromUserName: corpId, createTime: 1700000000 });
    res.end(encryptPassiveReply(credentials, plaintext, { timestamp: req.query.get('timestamp')!, nonce: req.query.get('nonce')! }));
  };

const receivers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function setup(answers: Answer[], options: { applyReply?: ApplyReply; timeoutMs?: number } = {}) {
  const receiver = await startReceiver(...answers);
  receivers.push(receiver);
  const clock = new EmulatorClock(() => 1_700_000_000_000);
  const deliverer = new CallbackDeliverer({
    corpId,
    settings: () => ({ url: receiver.url, token: credentials.token, encodingAESKey: credentials.encodingAESKey }),
    clock,
    timing: { timeoutMs: options.timeoutMs ?? 2000, retryDelayMs: 0, verifyTimeoutMs: 300 },
    ...(options.applyReply ? { applyReply: options.applyReply } : {}),
  });
  let msgId = 1000;
  const event = (request: Record<string, unknown>) =>
    completeEvent(request, { corpId, agentId: 1000002, now: () => clock.nowSeconds(), nextMsgId: () => String(++msgId) });
  return { receiver, deliverer, event };
}

describe('URL verification (§6.2)', () => {
  it('passes when the app answers the decrypted echostr, sent URL-encoded on the configured URL', async () => {
    const { receiver, deliverer } = await setup([echo()]);
    const record = await deliverer.verifyUrl();
    expect(record).toMatchObject({ kind: 'verification', status: 'passed', httpStatus: 200 });
    expect(receiver.seen[0]!.method).toBe('GET');
    expect(receiver.seen[0]!.query.get('app')).toBe('demo');
    expect(receiver.seen[0]!.query.get('timestamp')).toBe('1700000000');
  });

  it('fails when the answer is not exactly the plaintext (a trailing newline)', async () => {
    const { deliverer } = await setup([echo('\n')]);
    const record = await deliverer.verifyUrl();
    expect(record.status).toBe('failed');
    expect(record.error).toContain('instead of the decrypted echostr');
  });

  it('fails when the app does not answer within the verification deadline', async () => {
    const { deliverer } = await setup([hang]);
    const record = await deliverer.verifyUrl();
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/no answer within 300 ms/);
  });
});

describe('event delivery (§6.3–6.7)', () => {
  it('posts an envelope that the official @wecom/crypto and the SDK both decrypt, signed with the token', async () => {
    const { receiver, deliverer, event } = await setup([ok]);
    const record = await deliverer.deliver(event({ type: 'text', fromUserName: 'zhangsan', content: '你好 <b>&' }));
    expect(record).toMatchObject({ status: 'delivered', label: 'text', userid: 'zhangsan' });
    expect(record.attempts).toHaveLength(1);

    const { query, body } = receiver.seen[0]!;
    const envelope = parseEncryptedEnvelope(body);
    expect(envelope).toMatchObject({ toUserName: corpId, agentId: '1000002' });
    expect(officialCrypto.getSignature(credentials.token, query.get('timestamp')!, query.get('nonce')!, envelope.encrypt)).toBe(query.get('msg_signature'));
    const official = officialCrypto.decrypt(credentials.encodingAESKey, envelope.encrypt);
    expect(official.id).toBe(corpId);
    const sdk = decryptMessage(credentials.encodingAESKey, envelope.encrypt, corpId);
    expect(sdk.message).toBe(official.message);
    expect(parseCallbackEvent(sdk.message)).toMatchObject({
      type: 'text',
      toUserName: corpId,
      fromUserName: 'zhangsan',
      content: '你好 <b>&',
      createTime: 1700000000,
      agentId: 1000002,
      msgId: '1001',
    });
  });

  it('makes 3 attempts in total on HTTP 500 and records the delivery as failed', async () => {
    const { receiver, deliverer, event } = await setup([status(500)]);
    const record = await deliverer.deliver(event({ type: 'enter_agent', fromUserName: 'lisi' }));
    expect(receiver.seen).toHaveLength(3);
    expect(record.status).toBe('failed');
    expect(record.attempts.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ['http', 500],
      ['http', 500],
      ['http', 500],
    ]);
    expect(record.error).toContain('after 3 attempt(s)');
  });

  it('retries after a timeout and stops at the first 200', async () => {
    const { receiver, deliverer, event } = await setup([hang, status(502), ok], { timeoutMs: 300 });
    const record = await deliverer.deliver(event({ type: 'click', fromUserName: 'lisi', eventKey: 'MENU_1' }));
    expect(record.attempts.map((a) => a.outcome)).toEqual(['timeout', 'http', 'ok']);
    expect(record.status).toBe('delivered');
    // Each attempt is a fresh request from WeCom: the same event, sealed again.
    const plain = receiver.seen.map((s) => decryptMessage(credentials.encodingAESKey, parseEncryptedEnvelope(s.body).encrypt, corpId).message);
    expect(new Set(plain).size).toBe(1);
  });

  it('records an unreachable app as failed after 3 attempts', async () => {
    const { receiver, deliverer, event } = await setup([ok]);
    await receiver.close();
    const record = await deliverer.deliver(event({ type: 'enter_agent', fromUserName: 'lisi' }));
    expect(record.attempts.map((a) => a.outcome)).toEqual(['network', 'network', 'network']);
    expect(record.status).toBe('failed');
  });

  it('decrypts a passive reply and hands it to the inbox', async () => {
    const applied: unknown[] = [];
    const { deliverer, event } = await setup([reply({ type: 'text', content: '收到' })], {
      applyReply: (r, context) => {
        applied.push([r, context.toUser, context.event.type]);
        return 'message added';
      },
    });
    const record = await deliverer.deliver(event({ type: 'text', fromUserName: 'wangwu', content: 'hi' }));
    expect(record).toMatchObject({ status: 'delivered', reply: { type: 'text', content: '收到' }, applied: 'message added' });
    expect(record.replyXml).toContain('<MsgType><![CDATA[text]]></MsgType>');
    expect(applied).toEqual([[{ type: 'text', content: '收到' }, 'wangwu', 'text']]);
  });

  it('reads an update_template_card reply into the JSON card shape', async () => {
    const cardXml = (member: string) =>
      `<xml><ToUserName><![CDATA[${member}]]></ToUserName><FromUserName><![CDATA[${corpId}]]></FromUserName><CreateTime>1700000000</CreateTime>` +
      `<MsgType><![CDATA[update_template_card]]></MsgType><TemplateCard><CardType><![CDATA[button_interaction]]></CardType>` +
      `<MainTitle><Title><![CDATA[面试反馈]]></Title></MainTitle><TaskId><![CDATA[task-1]]></TaskId>` +
      `<HorizontalContentList><KeyName><![CDATA[候选人]]></KeyName><Value><![CDATA[张三]]></Value></HorizontalContentList>` +
      `<ButtonList><Text><![CDATA[通过]]></Text><Style>1</Style><Key><![CDATA[pass]]></Key></ButtonList>` +
      `<ButtonList><Text><![CDATA[不通过]]></Text><Style>2</Style><Key><![CDATA[fail]]></Key></ButtonList>` +
      `<ReplaceText><![CDATA[已处理]]></ReplaceText></TemplateCard></xml>`;
    const { deliverer, event } = await setup([reply(cardXml)]);
    const record = await deliverer.deliver(
      event({ type: 'template_card_event', fromUserName: 'zhaoliu', eventKey: 'pass', taskId: 'task-1', cardType: 'button_interaction', responseCode: 'rc' }),
    );
    expect(record.status).toBe('delivered');
    expect(record.reply).toEqual({
      type: 'update_template_card',
      card: {
        card_type: 'button_interaction',
        main_title: { title: '面试反馈' },
        task_id: 'task-1',
        horizontal_content_list: [{ keyname: '候选人', value: '张三' }],
        button_list: [
          { text: '通过', style: 1, key: 'pass' },
          { text: '不通过', style: 2, key: 'fail' },
        ],
        replace_text: '已处理',
      },
    });
  });

  it('records a 200 whose body is not a passive reply as failed, without retrying', async () => {
    const { receiver, deliverer, event } = await setup([(_req, res) => res.end('success')]);
    const record = await deliverer.deliver(event({ type: 'text', fromUserName: 'zhangsan', content: 'hi' }));
    expect(receiver.seen).toHaveLength(1);
    expect(record.status).toBe('failed');
    expect(record.error).toContain('a non-empty 200 must be an encrypted passive reply');
  });

  it('refuses a reply signed with another token', async () => {
    const forged: Answer = (req, res) => {
      const plaintext = passiveReplyXml({ type: 'text', content: 'x' }, { toUserName: 'zhangsan', fromUserName: corpId, createTime: 1 });
      res.end(encryptPassiveReply({ ...credentials, token: 'other' }, plaintext, { timestamp: req.query.get('timestamp')!, nonce: '1' }));
    };
    const { deliverer, event } = await setup([forged]);
    const record = await deliverer.deliver(event({ type: 'text', fromUserName: 'zhangsan', content: 'hi' }));
    expect(record.status).toBe('failed');
    expect(record.error).toContain('signature does not match');
  });

  it('accepts the §6.9 reply vector byte for byte', async () => {
    const vector = officialCallbackVectors.reply;
    const answer: Answer = (_req, res) =>
      res.end(
        `<xml><Encrypt><![CDATA[${vector.encrypt}]]></Encrypt><MsgSignature><![CDATA[${vector.msgSignature}]]></MsgSignature>` +
          `<TimeStamp>${vector.timestamp}</TimeStamp><Nonce><![CDATA[${vector.nonce}]]></Nonce></xml>`,
      );
    const { deliverer, event } = await setup([answer]);
    const record = await deliverer.deliver(event({ type: 'text', fromUserName: 'mycreate', content: 'hello' }));
    expect(record).toMatchObject({ status: 'delivered', reply: { type: 'text', content: 'hello' }, replyXml: vector.plaintext });
  });

  it('keeps every delivery in the log, filterable by member', async () => {
    const { deliverer, event } = await setup([ok]);
    await deliverer.deliver(event({ type: 'enter_agent', fromUserName: 'ZhangSan' }));
    await deliverer.deliver(event({ type: 'enter_agent', fromUserName: 'lisi' }));
    await deliverer.deliver(event({ type: 'change_contact', changeType: 'delete_user', userId: 'lisi' }));
    expect(deliverer.records().map((r) => (r.kind === 'delivery' ? r.label : r.kind))).toEqual(['enter_agent', 'enter_agent', 'change_contact/delete_user']);
    expect(deliverer.records({ userid: 'zhangsan' })).toHaveLength(1);
    expect(deliverer.records({ userid: 'sys' })).toHaveLength(1);
  });

  it('says how to configure a callback URL when there is none', async () => {
    const deliverer = new CallbackDeliverer({ corpId, settings: () => undefined, clock: new EmulatorClock() });
    await expect(deliverer.verifyUrl()).rejects.toBeInstanceOf(CallbackNotConfiguredError);
  });
});

/**
 * The callback service inside a started emulator: timing comes from the `callback` option, sendCallback resolves
 * with the delivery record, and replies that WeCom would refuse are recorded as failures.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptMessage, encryptPassiveReply, parseCallbackEvent, parseEncryptedEnvelope, passiveReplyXml, type PassiveReply } from '@pairview/wecom/callback';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';
import { callbackService } from './service.ts';

const credentials = { token: 'ServiceTest1', encodingAESKey: 'c2VydmljZVRlc3RLZXlBQkNERUZHSElKS0xNTk9QUVI' };
const corpId = 'wwservicetest0001';

type Answer = (body: string, query: URLSearchParams, res: ServerResponse) => void;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

async function setup(answer: Answer, timing: { timeoutMs?: number; attempts?: number; retryDelayMs?: number } = {}): Promise<{ emu: TestEmulator; hits: () => number }> {
  let hits = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    hits++;
    answer(Buffer.concat(chunks).toString('utf8'), new URL(req.url ?? '/', 'http://x').searchParams, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const emu = await startTestEmulator({ corpId, callback: { url: `http://127.0.0.1:${port}/cb`, ...credentials, retryDelayMs: 0, ...timing } });
  cleanup.push(async () => {
    await emu.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { emu, hits: () => hits };
}

/** Replies with `reply` addressed to `to` (default: the member who sent the event). */
function replying(reply: PassiveReply, to?: string): Answer {
  return (body, query, res) => {
    const event = parseCallbackEvent(decryptMessage(credentials.encodingAESKey, parseEncryptedEnvelope(body).encrypt, corpId).message);
    const member = to ?? (event.type === 'unknown' ? '' : event.fromUserName);
    const plaintext = passiveReplyXml(reply, { toUserName: member, fromUserName: corpId, createTime: 1 });
    res.end(encryptPassiveReply({ ...credentials, corpId }, plaintext, { timestamp: query.get('timestamp')!, nonce: query.get('nonce')! }));
  };
}

describe('callback service in the emulator', () => {
  it('takes the attempts and the timeout from the callback option', async () => {
    const { emu, hits } = await setup(() => {}, { timeoutMs: 200, attempts: 2 });
    const record = await emu.control.sendCallback({ type: 'enter_agent', fromUserName: 'zhangwei' });
    expect(hits()).toBe(2);
    expect(record).toMatchObject({ status: 'failed' });
    expect(record.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
  });

  it("uses WeCom's timing unless told otherwise: 5 s per POST, 3 attempts, 1 s for URL verification (§6.2, §6.7)", async () => {
    const emu = await startTestEmulator({ corpId, callback: { url: 'http://127.0.0.1:9/cb', ...credentials } });
    cleanup.push(() => emu.close());
    expect(callbackService(emu.state).deliverer.timing).toEqual({ timeoutMs: 5000, attempts: 3, retryDelayMs: 1000, verifyTimeoutMs: 1000 });
  });

  it('refuses a bad timing option at start, naming it', async () => {
    await expect(startTestEmulator({ callback: { url: 'http://127.0.0.1:9/cb', ...credentials, attempts: 0 } })).rejects.toThrow(/callback\.attempts/);
  });

  it('records a passive reply to another member as failed and changes no inbox', async () => {
    const { emu } = await setup(replying({ type: 'text', content: 'hello' }, 'lina'));
    const record = await emu.control.sendCallback({ type: 'text', fromUserName: 'zhangwei', content: 'hi' });
    expect(record.status).toBe('failed');
    expect(record.error).toContain('ToUserName is "lina"');
    expect(await emu.control.messages({ userid: 'lina' })).toEqual([]);
  });

  it('refuses update_button in answer to an event that has no card', async () => {
    const { emu } = await setup(replying({ type: 'update_button', replaceName: 'x' }));
    const record = await emu.control.sendCallback({ type: 'enter_agent', fromUserName: 'zhangwei' });
    expect(record.status).toBe('failed');
    expect(record.error).toContain('only answers a template_card_event');
  });

  it('adds a news reply to the inbox as a news message from the app', async () => {
    const { emu } = await setup(replying({ type: 'news', articles: [{ title: '面试安排', description: '周三 14:00', url: 'https://example.com/i/1' }] }));
    const record = await emu.control.sendCallback({ type: 'click', fromUserName: 'zhangwei', eventKey: 'TODAY' });
    expect(record).toMatchObject({ status: 'delivered', applied: "news message added to zhangwei's inbox" });
    expect(await emu.control.messages({ userid: 'zhangwei' })).toMatchObject([
      { msgtype: 'news', agentId: emu.agentId, content: { articles: [{ title: '面试安排', description: '周三 14:00', url: 'https://example.com/i/1' }] } },
    ]);
  });
});

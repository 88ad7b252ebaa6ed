import { afterEach, describe, expect, it, vi } from 'vitest';
import { decryptPassiveReply, sampleCallbackEvents, signCallback, signUrlVerification } from '../testing/index.ts';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors } from '../testing/vectors.ts';
import { CallbackCryptoError, computeSignature, CryptoErrorCode, encryptMessage } from './crypto.ts';
import { CallbackHandlerError, CallbackReplyError, CallbackRequestError } from './errors.ts';
import type { CallbackEvent } from './events.ts';
import { createCallbackHandler, type CallbackReceiverOptions } from './receiver.ts';
import { buildEncryptedEnvelope } from './xml.ts';

function receiverWithLog(options: Partial<CallbackReceiverOptions> = {}) {
  const errors: Error[] = [];
  const seen: CallbackEvent[] = [];
  const receiver = createCallbackHandler({ ...creds, onError: (error) => void errors.push(error), ...options });
  receiver.onAny((e) => void seen.push(e.event));
  return { receiver, errors, seen };
}

async function refusal(promise: Promise<unknown>): Promise<CallbackRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CallbackRequestError);
    return error as CallbackRequestError;
  }
  throw new Error('expected the request to be refused');
}

/** A POST correctly signed with our token over an arbitrary Encrypt value. */
function signedBody(encrypt: string, timestamp = '1409659813', nonce = '1372623149') {
  return {
    query: { msg_signature: computeSignature(creds.token, timestamp, nonce, encrypt), timestamp, nonce },
    body: buildEncryptedEnvelope({ toUserName: creds.corpId, encrypt }),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('URL verification (GET)', () => {
  it('answers the §6.9 vector with the plain echostr, from a raw query, URLSearchParams or a parsed object', async () => {
    const { receiver } = receiverWithLog();
    const v = vectors.urlVerification;
    const search = new URLSearchParams(v.query).toString();
    expect(await receiver.verifyUrl(search)).toBe(v.plaintext);
    expect(await receiver.verifyUrl(new URLSearchParams(search))).toBe(v.plaintext);
    expect(await receiver.verifyUrl({ ...v.query })).toBe(v.plaintext);
  });

  it('keeps a "+" in echostr whether it arrives encoded, raw, or decoded to a space by a framework', async () => {
    const { receiver } = receiverWithLog();
    const { query, echostr } = { query: vectors.urlVerification.query, echostr: vectors.urlVerification.query.echostr };
    expect(echostr).toContain('+');
    const raw = `msg_signature=${query.msg_signature}&timestamp=${query.timestamp}&nonce=${query.nonce}&echostr=${echostr}`;
    expect(await receiver.verifyUrl(raw)).toBe(vectors.urlVerification.plaintext);
    expect(await receiver.verifyUrl({ ...query, echostr: echostr.replaceAll('+', ' ') })).toBe(vectors.urlVerification.plaintext);
  });

  it('verifies URLs signed by the testing helper', async () => {
    const { receiver } = receiverWithLog();
    const signed = signUrlVerification({ ...creds, echostr: '8231234987123' });
    expect(await receiver.verifyUrl(signed.search)).toBe('8231234987123');
  });

  it('refuses a bad signature and a missing parameter', async () => {
    const { receiver, errors } = receiverWithLog();
    const bad = await refusal(receiver.verifyUrl({ ...vectors.urlVerification.query, nonce: '263014781' }));
    expect(bad).toMatchObject({ status: 401, reason: 'bad_signature', cryptoCode: CryptoErrorCode.ValidateSignature });
    const missing = await refusal(receiver.verifyUrl({ ...vectors.urlVerification.query, echostr: undefined }));
    expect(missing).toMatchObject({ status: 400, reason: 'missing_parameter' });
    expect(missing.message).toMatch(/echostr/);
    expect(errors).toEqual([bad, missing]);
  });
});

describe('delivery (POST)', () => {
  it('decrypts the §6.9 vector and hands the typed event to its handler', async () => {
    const { receiver, seen } = receiverWithLog();
    const texts: string[] = [];
    receiver.on('text', (e) => void texts.push(`${e.fromUserName}:${e.content}:${e.msgId}`));
    const result = await receiver.receive({ query: vectors.message.query, body: vectors.message.body });
    await result.done;
    expect(result).toMatchObject({ duplicate: false, reply: undefined, dedupeKey: 'wecom:wx5823bf96d3bd56c7:218:msg:4561255354251345929' });
    expect(texts).toEqual(['mycreate:hello:4561255354251345929']);
    expect(seen).toHaveLength(1);
  });

  it.each(Object.entries(sampleCallbackEvents))('delivers a signed %s callback as its typed event', async (_key, sample) => {
    const { receiver, seen } = receiverWithLog({ corpId: creds.corpId });
    const signed = signCallback({ ...creds, event: { ...sample, toUserName: creds.corpId } });
    await (await receiver.receive({ query: signed.search, body: signed.body })).done;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ ...sample, toUserName: creds.corpId });
  });

  it('refuses a wrong receive id with 403 and runs no handler', async () => {
    const { receiver, errors, seen } = receiverWithLog({ corpId: 'wwAnotherCorp' });
    const error = await refusal(receiver.receive({ query: vectors.message.query, body: vectors.message.body }));
    expect(error).toMatchObject({ status: 403, reason: 'decrypt_failed', cryptoCode: CryptoErrorCode.ValidateReceiveId });
    expect(error.message).toMatch(/encrypted for "wx5823bf96d3bd56c7", expected "wwAnotherCorp"/);
    expect(seen).toEqual([]);
    expect(errors).toEqual([error]);
  });

  it('refuses a bad signature with 401 and runs no handler', async () => {
    const { receiver, seen } = receiverWithLog();
    const query = { ...vectors.message.query, msg_signature: '477715d11cdb4164915debcba66cb864d751f3e7' };
    expect(await refusal(receiver.receive({ query, body: vectors.message.body }))).toMatchObject({ status: 401, reason: 'bad_signature' });
    expect(seen).toEqual([]);
  });

  it('refuses bad padding (correctly signed) with 403 and runs no handler', async () => {
    const { receiver, seen } = receiverWithLog();
    const bytes = Buffer.from(vectors.message.encrypt, 'base64');
    bytes[bytes.length - 17]! ^= 0x01; // changes the last block's plaintext: the padding
    const signed = signedBody(bytes.toString('base64'));
    const error = await refusal(receiver.receive(signed));
    expect(error).toMatchObject({ status: 403, cryptoCode: CryptoErrorCode.IllegalBuffer });
    expect(error.message).toMatch(/bad padding/);
    expect(seen).toEqual([]);
  });

  it('refuses an invalid EncodingAESKey when the handler is created, without echoing it', () => {
    const bad = `${creds.encodingAESKey.slice(0, 40)}`;
    expect(() => createCallbackHandler({ ...creds, encodingAESKey: bad })).toThrow(CallbackCryptoError);
    expect(() => createCallbackHandler({ ...creds, encodingAESKey: bad })).toThrow(/invalid EncodingAESKey: it must be exactly 43 characters .*\(got 40 characters\)/);
    try {
      createCallbackHandler({ ...creds, encodingAESKey: bad });
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('refuses a body over maxBodyBytes with 413 before parsing it', async () => {
    const { receiver, seen } = receiverWithLog({ maxBodyBytes: 1024 });
    const error = await refusal(receiver.receive({ query: vectors.message.query, body: `${vectors.message.body}${' '.repeat(1024)}` }));
    expect(error).toMatchObject({ status: 413, reason: 'body_too_large' });
    expect(seen).toEqual([]);
  });

  it('refuses a body that is not an envelope, and decrypted text that is not XML, with 400', async () => {
    const { receiver } = receiverWithLog();
    expect(await refusal(receiver.receive({ query: vectors.message.query, body: '{"encrypt":"x"}' }))).toMatchObject({ status: 400, reason: 'malformed_body' });
    const notXml = signedBody(encryptMessage(creds.encodingAESKey, 'plain words', creds.corpId));
    const error = await refusal(receiver.receive(notXml));
    expect(error).toMatchObject({ status: 400, reason: 'malformed_body', cryptoCode: CryptoErrorCode.ParseXml });
  });

  it('applies the timestamp window only when configured, on the injected clock', async () => {
    const at = (seconds: number) => ({ now: () => seconds * 1000 });
    const strict = receiverWithLog({ timestampToleranceSeconds: 300, clock: at(1409659813 + 301) });
    expect(await refusal(strict.receiver.receive({ query: vectors.message.query, body: vectors.message.body }))).toMatchObject({ status: 401, reason: 'stale_timestamp' });
    const inWindow = receiverWithLog({ timestampToleranceSeconds: 300, clock: at(1409659813 - 299) });
    expect((await inWindow.receiver.receive({ query: vectors.message.query, body: vectors.message.body })).duplicate).toBe(false);
    const off = receiverWithLog({ clock: at(2_000_000_000) });
    expect((await off.receiver.receive({ query: vectors.message.query, body: vectors.message.body })).duplicate).toBe(false);
  });
});

describe('dedupe', () => {
  it('runs the handlers once when WeCom retries a message, and again after the hold expires', async () => {
    let now = 1_700_000_000_000;
    const { receiver, seen } = receiverWithLog({ clock: { now: () => now }, dedupeTtlSeconds: 60 });
    const first = signCallback({ ...creds, event: { ...sampleCallbackEvents.text, toUserName: creds.corpId } });
    // A retry is re-encrypted and re-signed, but carries the same MsgId.
    const retry = signCallback({ ...creds, event: { ...sampleCallbackEvents.text, toUserName: creds.corpId } });
    expect((await receiver.receive({ query: first.search, body: first.body })).duplicate).toBe(false);
    const again = await receiver.receive({ query: retry.search, body: retry.body });
    expect(again).toMatchObject({ duplicate: true, reply: undefined });
    expect(seen).toHaveLength(1);
    now += 60_000;
    expect((await receiver.receive({ query: retry.search, body: retry.body })).duplicate).toBe(false);
    expect(seen).toHaveLength(2);
  });

  it('does not merge two different clicks by one member in the same second', async () => {
    const { receiver, seen } = receiverWithLog();
    for (const eventKey of ['A', 'B', 'A']) {
      const signed = signCallback({ ...creds, event: { ...sampleCallbackEvents.click, toUserName: creds.corpId, eventKey } });
      await receiver.receive({ query: signed.search, body: signed.body });
    }
    expect(seen.map((e) => (e.type === 'click' ? e.eventKey : ''))).toEqual(['A', 'B']);
  });

  it('with dedupeStore null, claims nothing and hands every delivery to the handlers, with its dedupe key', async () => {
    const { receiver, seen } = receiverWithLog({ dedupeStore: null });
    const keys: string[] = [];
    receiver.onAny((e) => void keys.push(e.dedupeKey));
    const first = signCallback({ ...creds, event: { ...sampleCallbackEvents.text, toUserName: creds.corpId } });
    const retry = signCallback({ ...creds, event: { ...sampleCallbackEvents.text, toUserName: creds.corpId } });
    expect((await receiver.receive({ query: first.search, body: first.body })).duplicate).toBe(false);
    expect((await receiver.receive({ query: retry.search, body: retry.body })).duplicate).toBe(false);
    expect(seen).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it('with dedupeStore null, a failing handler still answers "not taken in" (nothing to release)', async () => {
    const { receiver, errors } = receiverWithLog({ dedupeStore: null });
    receiver.on('text', () => {
      throw new Error('database is down');
    });
    const result = await receiver.receive({ query: vectors.message.query, body: vectors.message.body });
    expect(result.failed).toBeInstanceOf(CallbackHandlerError);
    expect(errors.map((e) => e.message).join(' ')).toMatch(/database is down/);
  });

  it('still handles the callback when the dedupe store fails, and reports it', async () => {
    const { receiver, seen, errors } = receiverWithLog({
      dedupeStore: {
        claim: async () => {
          throw new Error('connection refused');
        },
      },
    });
    await receiver.receive({ query: vectors.message.query, body: vectors.message.body });
    expect(seen).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/dedupe store failed.*connection refused/);
  });
});

describe('handlers, replies and the deadline', () => {
  const textCallback = (content: string) => signCallback({ ...creds, event: { ...sampleCallbackEvents.text, toUserName: creds.corpId, content, msgId: String(Math.floor(Math.random() * 1e15)) } });

  it('encrypts a returned reply to the member, which decrypts the way WeCom reads it', async () => {
    const { receiver } = receiverWithLog();
    receiver.on('text', /^today$/i, (e) => ({ type: 'text', content: `3 interviews today (${e.match?.[0]})` }));
    receiver.on('text', /^tomorrow$/, () => ({ type: 'text', content: 'wrong listener' }));
    const signed = textCallback('TODAY');
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    expect(result.reply).toBeDefined();
    const read = decryptPassiveReply(creds, result.reply!);
    expect(read.reply).toEqual({ type: 'text', content: '3 interviews today (TODAY)' });
    expect(read).toMatchObject({ toUserName: 'zhangsan', fromUserName: creds.corpId, msgType: 'text' });
  });

  it('answers update_button to a template card click through ctx.reply', async () => {
    const { receiver } = receiverWithLog();
    receiver.on('template_card_event', 'submit', (e) => e.reply({ type: 'update_button', replaceName: `已提交 ${e.selectedItems.length}` }));
    const signed = signCallback({ ...creds, event: { ...sampleCallbackEvents.template_card_event, toUserName: creds.corpId } });
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    expect(decryptPassiveReply(creds, result.reply!).reply).toEqual({ type: 'update_button', replaceName: '已提交 2' });
  });

  it('acks with an empty 200 at the deadline while a slow handler keeps working; its late reply is an error', async () => {
    vi.useFakeTimers();
    const { receiver, errors } = receiverWithLog({ replyDeadlineMs: 3000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    receiver.on('text', async (e) => {
      await gate;
      finished = true;
      e.reply({ type: 'text', content: 'too late' });
    });
    const signed = textCallback('slow');
    let answered: Awaited<ReturnType<typeof receiver.receive>> | undefined;
    const pending = receiver.receive({ query: signed.search, body: signed.body }).then((r) => (answered = r));
    await vi.advanceTimersByTimeAsync(2999);
    expect(answered).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(answered).toMatchObject({ duplicate: false, reply: undefined });
    expect(finished).toBe(false);
    release();
    await answered!.done;
    expect(finished).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CallbackHandlerError);
    expect((errors[0] as Error).cause).toBeInstanceOf(CallbackReplyError);
    expect(errors[0]!.message).toMatch(/reply deadline passed.*message\/send/);
  });

  it('lets a handler ack early so slow work never holds the answer', async () => {
    const { receiver } = receiverWithLog();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    receiver.on('click', async (e) => {
      e.ack();
      await gate;
    });
    const signed = signCallback({ ...creds, event: { ...sampleCallbackEvents.click, toUserName: creds.corpId } });
    const result = await receiver.receive({ query: signed.search, body: signed.body }); // resolves while the gate is shut
    expect(result.reply).toBeUndefined();
    release();
    await receiver.idle();
  });

  it('acks a contact change at once and refuses a reply to it', async () => {
    const { receiver, errors } = receiverWithLog();
    receiver.on('change_contact', 'create_user', (e) => e.reply({ type: 'text', content: `welcome ${e.userId}` }));
    const signed = signCallback({ ...creds, event: { ...sampleCallbackEvents.create_user, toUserName: creds.corpId } });
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    await result.done;
    expect(result.reply).toBeUndefined();
    expect(errors[0]?.message).toMatch(/no passive reply to a change_contact callback/);
  });

  it('treats a second reply, or a second ack by one handler, as an error; the first reply stands', async () => {
    const { receiver, errors } = receiverWithLog();
    receiver.on('text', (e) => {
      e.reply({ type: 'text', content: 'first' });
      e.reply({ type: 'text', content: 'second' });
    });
    receiver.on('text', (e) => {
      e.ack();
      e.ack();
    });
    const signed = textCallback('hi');
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    await result.done;
    expect(decryptPassiveReply(creds, result.reply!).reply).toEqual({ type: 'text', content: 'first' });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/already replied/),
      expect.stringMatching(/already acknowledged/),
    ]);
  });

  it('answers a failure and releases the claim when a handler fails before the answer, so WeCom\'s retry is handled', async () => {
    let failing = true;
    const { receiver, errors, seen } = receiverWithLog();
    receiver.on('text', () => {
      if (failing) throw new Error('database is down');
    });
    const signed = textCallback('hi');
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    await result.done;
    expect(result.failed?.message).toMatch(/database is down/);
    expect(result.reply).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'CallbackHandlerError', eventType: 'text', dedupeKey: result.dedupeKey });

    // WeCom retries (same MsgId): not a duplicate, the handlers run again and this time it is taken in.
    failing = false;
    const retry = await receiver.receive({ query: signed.search, body: signed.body });
    await retry.done;
    expect(retry.duplicate).toBe(false);
    expect(retry.failed).toBeUndefined();
    expect(seen).toHaveLength(2);
    const third = await receiver.receive({ query: signed.search, body: signed.body });
    expect(third.duplicate).toBe(true);
  });

  it('only reports a handler that fails after the answer was sent (it acked first)', async () => {
    const { receiver, errors } = receiverWithLog();
    receiver.on('text', async (ctx) => {
      ctx.ack();
      throw new Error('slow work failed');
    });
    const signed = textCallback('hi');
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    await result.done;
    expect(result.failed).toBeUndefined();
    expect(errors[0]?.message).toMatch(/slow work failed/);
    expect((await receiver.receive({ query: signed.search, body: signed.body })).duplicate).toBe(true);
  });

  it('with retryOnHandlerError off, reports a failing handler and still acknowledges; other handlers run', async () => {
    const { receiver, errors, seen } = receiverWithLog({ retryOnHandlerError: false });
    receiver.on('text', () => {
      throw new Error('database is down');
    });
    const signed = textCallback('hi');
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    await result.done;
    expect(result.reply).toBeUndefined();
    expect(result.failed).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/database is down/);
  });

  it('reports an invalid reply instead of sending it', async () => {
    const { receiver, errors } = receiverWithLog();
    receiver.on('text', () => ({ type: 'text', content: '' }));
    const signed = textCallback('hi');
    const result = await receiver.receive({ query: signed.search, body: signed.body });
    await result.done;
    expect(result.reply).toBeUndefined();
    expect(errors[0]?.message).toMatch(/non-empty content/);
  });

  it('validates its options with messages that name them', () => {
    expect(() => createCallbackHandler({ ...creds, replyDeadlineMs: 6000 })).toThrow(/replyDeadlineMs must be between 0 and 4500/);
    expect(() => createCallbackHandler({ ...creds, maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a positive number/);
    expect(() => createCallbackHandler({ ...creds, token: '' })).toThrow(/callback token/);
    expect(() => createCallbackHandler({ ...creds, corpId: '' })).toThrow(/corpId is required/);
  });
});

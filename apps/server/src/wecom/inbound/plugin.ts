/**
 * GET/POST /wecom/callback: WeCom's callbacks (wecom-protocol.md §6) through the SDK's receiver and fastify adapter.
 * The receiver verifies the signature, decrypts and parses; the one listener here logs the callback with its handler
 * job (callback-log.ts: one statement, which is also the dedupe for the whole cluster — a key is logged once), in
 * a batch with the callbacks that arrived with it (log-batch.ts), and lets the receiver answer an empty 200. The
 * job (`handle_wecom_callback`, tasks.ts) does the work.
 * Access policy: public — WeCom calls it, and the signature is the authentication (a forged request gets 401 and
 * reaches nothing).
 *
 * The exception is a card click. The clicker expects their card to change when they tap (glue.md: "已接受"), and
 * the cheapest way is the passive `update_button` reply, which must be in the answer to this very request (WeCom
 * waits 5 s, §6.6–6.7; the receiver allows 3 s). So the click is handled HERE, synchronously, once it is logged
 * durably: the domain call is one short transaction, far inside the window, and it costs no API call, no quota and
 * no response code. If it cannot be answered in time (the deadline passed, the handling failed, or a job took the
 * callback first), the handler that does handle it answers with update_template_card and the click's own
 * ResponseCode instead (handle.ts answerClickByApi): the card still changes, a moment later.
 */
import { createCallbackHandler, wecomCallbackPlugin } from '@pairview/wecom';
import { textOf, type CallbackEvent } from '@pairview/wecom/callback';
import type { FastifyInstance } from 'fastify';
import type { AppPlugin } from '../../context.ts';
import { publicAccess } from '../../auth/policies.ts';
import { answerText } from './answers.ts';
import { answerClickByApi, handleCallback, type InboundDeps } from './handle.ts';
import { CallbackLogBatch, type CallbackLogBatchOptions } from './log-batch.ts';

export const CALLBACK_PATH = '/wecom/callback';

export interface CallbackPluginOptions {
  /** How long the answer may wait for the click's passive reply. Default the SDK's 3000 ms (WeCom waits 5 s). */
  replyDeadlineMs?: number;
  /** How the callback log batches its writes (log-batch.ts); the defaults suit one process. */
  logBatch?: CallbackLogBatchOptions;
}

export interface CallbackPlugin extends AppPlugin {
  /** Resolves when every callback being handled in a request has finished: await it before closing the pool. */
  idle(): Promise<void>;
  /** Statements the callback log has run so far, and the callbacks they logged (log-batch.ts). */
  logStats(): { batches: number; callbacks: number };
}

export function createCallbackPlugin(deps: InboundDeps, options: CallbackPluginOptions = {}): CallbackPlugin {
  const { corpId, callbackToken, encodingAESKey } = deps.client.config;
  if (!callbackToken || !encodingAESKey) {
    throw new Error(
      'createCallbackPlugin needs a WeComClient built with callbackToken and encodingAESKey ' +
        '(WECOM_CALLBACK_TOKEN and WECOM_ENCODING_AES_KEY, or the emulator\'s callback settings)',
    );
  }
  const log = new CallbackLogBatch(deps.pool, deps.clock, options.logBatch);
  const receiver = createCallbackHandler({
    token: callbackToken,
    encodingAESKey,
    corpId,
    // The callback log is the dedupe: it never logs a dedupe key twice (a unique index), in the same statement
    // that adds the callback's job, so a claim before it would only cost a second round trip and commit.
    dedupeStore: null,
    clock: { now: () => deps.clock.now().getTime() },
    // No timestamp window: a replayed callback is a duplicate in the log.
    ...(options.replyDeadlineMs !== undefined ? { replyDeadlineMs: options.replyDeadlineMs } : {}),
    // Refused requests (bad signature, foreign key) and handler failures; messages carry no secret.
    onError: (error) => deps.log.warn(`WeCom callback: ${error.message}`),
  });

  receiver.onAny(async (context) => {
    const { event } = context;
    // If logging fails (the database is down) this throws before the answer: the receiver answers 500 and WeCom's
    // retry (§6.7) brings the callback again — nothing is lost, and nothing was written to dedupe the retry.
    const logged = await log.log({ dedupeKey: context.dedupeKey, eventType: eventTypeOf(event), raw: event.raw });
    // Logged with its job: returning lets the receiver answer an empty 200 now.
    if (logged.duplicate || event.type !== 'template_card_event') return;

    // Logged: from here on the callback is taken in. A failure of the click handling must not make the answer a
    // failure (that would make WeCom retry a callback we have): it is reported, and the logged job retries it.
    try {
      const result = await handleCallback(deps, logged.id);
      if (result.status !== 'handled' || !result.click) return;
      if (context.canReply) context.reply({ type: 'update_button', replaceName: answerText(result.click.answer, deps.config.locale) });
      else await answerClickByApi(deps, result.click.event, result.click.answer);
    } catch (error) {
      deps.log.warn(`WeCom callback: handling the click in the request failed; its job will retry it: ${(error as Error).message}`);
    }
  });

  const plugin = async (app: FastifyInstance) => {
    // Registered encapsulated: the adapter reads the raw body (any content type) only on its own routes.
    await app.register(wecomCallbackPlugin, {
      receiver,
      path: CALLBACK_PATH,
      // Every callback is in the callback log already; two info lines per request would only repeat it (at
      // WeCom's rates, thousands a second). Warnings and errors are still logged.
      logLevel: 'warn',
      routeConfig: { policy: publicAccess, summary: 'WeCom callbacks: URL verification (GET) and signed, encrypted events (POST)' },
    });
  };
  return Object.assign(plugin, { idle: () => receiver.idle(), logStats: () => ({ ...log.stats }) });
}

/** The log's event_type (callback-log.ts): `text`, `event:enter_agent`, `event:change_contact`, … */
export function eventTypeOf(event: CallbackEvent): string {
  const msgType = textOf(event.raw.MsgType) ?? 'unknown';
  return msgType === 'event' ? `event:${textOf(event.raw.Event) ?? 'unknown'}` : msgType;
}

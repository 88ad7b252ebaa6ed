/**
 * Callback throughput: what our strict pipeline costs over the official library, measured in the same run on the
 * same input (the wecom-protocol.md §6.9 POST vector, a 284-byte text message).
 *
 *   - bare @wecom/crypto decrypt: base64 + AES-CBC + unpad, nothing else;
 *   - verify+decrypt+parse: decryptCallback() — envelope XML, timing-safe signature, padding/length/UTF-8/receive-id
 *     checks, plaintext XML → typed event;
 *   - receiver.receive(): the same plus the query, dedupe key, store claim (a store that always says "new", so every
 *     iteration does the full work) and dispatch to one handler.
 *
 * "vs bare" is the bare decrypt's median time over the task's median time (so 0.5× = twice as long), both from
 * this run: the median, because other processes' load spikes move a mean far more than a median.
 *
 * Run alone: `node packages/wecom/bench/callback.ts`; bench/index.ts calls benchCallback().
 */
import * as official from '@wecom/crypto';
import { Bench } from 'tinybench';
import { createCallbackHandler, decryptCallback } from '../src/callback/index.ts';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors } from '../src/testing/index.ts';
import { rowsOf, type BenchRow } from './rows.ts';

export interface CallbackBenchRow extends BenchRow {
  /** Bare decrypt's median time over this task's: the task's speed as a share of the bare decrypt's. */
  vsBare: number;
}

export interface CallbackBenchOptions {
  /** Milliseconds per task. Default 1000. */
  time?: number;
  /** Print the table to stdout. Default true. */
  print?: boolean;
}

export const BARE_TASK = 'bare @wecom/crypto decrypt';
export const DECRYPT_CALLBACK_TASK = 'verify+decrypt+parse (decryptCallback)';
export const RECEIVE_TASK = 'receiver.receive (+dedupe key, dispatch)';

export async function benchCallback(options: CallbackBenchOptions = {}): Promise<CallbackBenchRow[]> {
  const { query, encrypt } = vectors.message;
  const body = vectors.message.body;
  const params = { msgSignature: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce, body };

  const receiver = createCallbackHandler({ ...creds, dedupeStore: { claim: async () => true }, replyDeadlineMs: 0 });
  let handled = 0;
  receiver.on('text', () => {
    handled += 1;
  });

  // Every task must produce the right answer before it is timed, so a broken pipeline cannot look fast.
  if (official.decrypt(creds.encodingAESKey, encrypt).message !== vectors.message.plaintext) throw new Error('bare decrypt gave the wrong plaintext');
  const opened = decryptCallback(creds, params);
  if (opened.event.type !== 'text' || opened.xml !== vectors.message.plaintext) throw new Error('decryptCallback did not produce the text event');

  const bench = new Bench({ time: options.time ?? 1000 });
  bench
    .add(BARE_TASK, () => {
      official.decrypt(creds.encodingAESKey, encrypt);
    })
    .add(DECRYPT_CALLBACK_TASK, () => {
      decryptCallback(creds, params);
    })
    .add(RECEIVE_TASK, async () => {
      await receiver.receive({ query, body });
    });
  await bench.run();
  await receiver.idle();
  if (handled === 0) throw new Error('the receiver task never reached its handler');

  const rows = rowsOf(bench);
  const bare = rows.find((row) => row.task === BARE_TASK)!.medianMicroseconds;
  const withRatio = rows.map((row): CallbackBenchRow => ({ ...row, vsBare: Number((bare / row.medianMicroseconds).toFixed(2)) }));
  if (options.print ?? true) {
    console.log('Callback verify+decrypt+parse vs bare @wecom/crypto decrypt (§6.9 POST vector; vs bare: ratio of medians)');
    console.table(withRatio.map(({ vsBare, ...row }) => ({ ...row, 'vs bare': `${vsBare.toFixed(2)}x` })));
  }
  return withRatio;
}

if (import.meta.main) {
  await benchCallback();
}

/**
 * Callback throughput: what our strict pipeline costs over the official library, measured in the same run on the
 * same input (the wecom-protocol.md §6.9 POST vector, a 284-byte text message).
 *
 *   - bare @wecom/crypto decrypt: base64 + AES-CBC + unpad, nothing else;
 *   - verify+decrypt+parse: decryptCallback() — envelope XML, timing-safe signature, padding/length/receive-id
 *     checks, plaintext XML → typed event;
 *   - receiver.receive(): the same plus dedupe key, store claim (a store that always says "new", so every
 *     iteration does the full work) and dispatch to one handler.
 *
 * Run alone: `node packages/wecom/bench/callback.ts`; bench/index.ts calls benchCallback().
 */
import * as official from '@wecom/crypto';
import { Bench } from 'tinybench';
import { createCallbackHandler, decryptCallback } from '../src/callback/index.ts';
import { officialCallbackCredentials as creds, officialCallbackVectors as vectors } from '../src/testing/index.ts';

export interface CallbackBenchRow {
  task: string;
  opsPerSecond: number;
  meanMicroseconds: number;
  samples: number;
}

export interface CallbackBenchOptions {
  /** Milliseconds per task. Default 1000. */
  time?: number;
  /** Print the table to stdout. Default true. */
  print?: boolean;
}

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
  if (decryptCallback(creds, params).event.type !== 'text') throw new Error('decryptCallback did not produce a text event');

  const bench = new Bench({ time: options.time ?? 1000 });
  bench
    .add('bare @wecom/crypto decrypt', () => {
      official.decrypt(creds.encodingAESKey, encrypt);
    })
    .add('verify+decrypt+parse (decryptCallback)', () => {
      decryptCallback(creds, params);
    })
    .add('receiver.receive (+dedupe key, dispatch)', async () => {
      await receiver.receive({ query, body });
    });
  await bench.run();
  await receiver.idle();
  if (handled === 0) throw new Error('the receiver task never reached its handler');

  const rows = bench.tasks.map((task): CallbackBenchRow => {
    const result = task.result as { throughput?: { mean: number }; latency?: { mean: number; samplesCount?: number }; state?: string };
    if (!result.throughput || !result.latency) throw new Error(`benchmark task "${task.name}" did not complete (${result.state ?? 'unknown state'})`);
    return {
      task: task.name,
      opsPerSecond: Math.round(result.throughput.mean),
      meanMicroseconds: Number((result.latency.mean * 1000).toFixed(2)),
      samples: result.latency.samplesCount ?? task.runs,
    };
  });
  if (options.print ?? true) {
    const bare = rows[0]!.opsPerSecond;
    console.log('Callback verify+decrypt+parse vs bare @wecom/crypto decrypt (§6.9 POST vector)');
    console.table(rows.map((row) => ({ ...row, 'vs bare': `${(row.opsPerSecond / bare).toFixed(2)}x` })));
  }
  return rows;
}

if (import.meta.main) {
  await benchCallback();
}

/**
 * `npm run bench -w @pairview/wecom`: every benchmark of the package, one table each.
 * `npm run bench -w @pairview/wecom -- --json`: the same runs, printed as ONE JSON line for tools:
 *   {"decryptCallbackVsBare": <ratio>, "receiveVsBare": <ratio>, "node": …, "date": …, "callback": [rows], "token": [rows], "limiter": [rows]}
 * (ratios as in bench/callback.ts: the bare decrypt's median time over the task's, 1.0 = as fast as the bare decrypt).
 * Each module also runs alone (`node packages/wecom/bench/<name>.ts`).
 */
import { parseArgs } from 'node:util';
import { benchCallback, DECRYPT_CALLBACK_TASK, RECEIVE_TASK } from './callback.ts';
import { benchLimiter } from './limiter.ts';
import { benchToken } from './token.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });

if (values.json) {
  const token = await benchToken({ print: false });
  const callback = await benchCallback({ print: false });
  const limiter = await benchLimiter({ print: false });
  const ratio = (task: string) => callback.find((row) => row.task === task)!.vsBare;
  console.log(
    JSON.stringify({
      decryptCallbackVsBare: ratio(DECRYPT_CALLBACK_TASK),
      receiveVsBare: ratio(RECEIVE_TASK),
      node: process.version,
      date: new Date().toISOString(),
      callback,
      token,
      limiter,
    }),
  );
} else {
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
  await benchToken();
  console.log();
  await benchCallback();
  console.log();
  await benchLimiter();
}

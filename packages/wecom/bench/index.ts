/**
 * `npm run bench -w @pairview/wecom`: every benchmark of the package, one table each.
 * Each module also runs alone (`node packages/wecom/bench/<name>.ts`).
 */
import { benchCallback } from './callback.ts';
import { benchLimiter } from './limiter.ts';
import { benchToken } from './token.ts';

console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
await benchToken();
console.log();
await benchCallback();
console.log();
await benchLimiter();

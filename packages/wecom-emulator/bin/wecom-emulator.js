#!/usr/bin/env node
// The `wecom-emulator` command. Node 24 runs the TypeScript sources directly (type stripping), so this shim only
// imports them and closes the server on Ctrl-C.
import { main } from '../src/cli.ts';

const result = await main(process.argv.slice(2));
if (typeof result === 'number') {
  process.exitCode = result;
} else {
  const stop = () => result.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

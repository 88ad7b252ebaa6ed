#!/usr/bin/env node
// The `wecom` command. Node 24 runs the TypeScript sources directly (type stripping), so this shim only imports them.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));

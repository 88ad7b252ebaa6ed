/**
 * `wecom-emulator`: start the emulator from a shell.
 *
 *   npx wecom-emulator --port 4100 [--host 127.0.0.1] [--corp-id ID] [--agent-id N] [--secret S]
 *     [--callback-url URL --callback-token T --encoding-aes-key K] [--directory FILE] [--token-ttl SECONDS]
 *
 * Bad flags exit with code 2 and a message that says what to fix. Without flags: the demo company.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EmulatorOptions } from './config.ts';
import { type Emulator, startEmulator } from './emulator.ts';
import { Directory, DirectoryError, type DirectoryData } from './state/directory.ts';

export const USAGE = `Usage: wecom-emulator [options]

A WeCom (企业微信) server on your machine: the API under /cgi-bin/, callbacks, and a member console.

Options:
  --port N                 port to listen on (default 4100; 0 = any free port)
  --host HOST              address to listen on (default 127.0.0.1)
  --corp-id ID             the company's CorpID (default: the demo company's)
  --agent-id N             the app's AgentId (default 1000002)
  --secret S               the app's Secret (default: the demo app's)
  --callback-url URL       the app's callback URL (with --callback-token and --encoding-aes-key)
  --callback-token T       callback Token: 1-32 letters and digits
  --encoding-aes-key K     callback EncodingAESKey: 43 letters and digits
  --directory FILE         departments, members and tags as JSON (default: the demo company)
  --token-ttl SECONDS      access_token lifetime (default 7200)
  --seat-limit N           the corp's seat limit: app messages are limited to N × 200 person-times a day
                           (default 200; 0 = not enforced)
  --limits JSON            other frequency limits, e.g. '{"apiPerMinute":600,"quotaTimeScale":0.1}'
                           (names in the README, "Options")
  -h, --help               show this help
`;

export class UsageError extends Error {}

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

function integer(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return Number(value);
}

/** Turns argv into startEmulator options; throws UsageError naming the flag to fix. */
export function parseCliArgs(argv: string[]): EmulatorOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'corp-id': { type: 'string' },
        'agent-id': { type: 'string' },
        secret: { type: 'string' },
        'callback-url': { type: 'string' },
        'callback-token': { type: 'string' },
        'encoding-aes-key': { type: 'string' },
        directory: { type: 'string' },
        'token-ttl': { type: 'string' },
        'seat-limit': { type: 'string' },
        limits: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';

  const options: EmulatorOptions = { port: integer('port', values.port, 0, 65535) ?? 4100, host: values.host ?? '127.0.0.1' };
  if (values['corp-id'] !== undefined) options.corpId = values['corp-id'];
  const agentId = integer('agent-id', values['agent-id'], 1);
  if (agentId !== undefined) options.agentId = agentId;
  if (values.secret !== undefined) options.secret = values.secret;
  const ttl = integer('token-ttl', values['token-ttl'], 1);
  if (ttl !== undefined) options.tokenTtlSeconds = ttl;
  let limits: Record<string, unknown> = {};
  if (values.limits !== undefined) {
    try {
      limits = JSON.parse(values.limits) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--limits must be a JSON object such as '{"apiPerMinute":600}' (${(error as Error).message})`);
    }
    if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) throw new UsageError(`--limits must be a JSON object such as '{"apiPerMinute":600}'`);
  }
  const seatLimit = integer('seat-limit', values['seat-limit'], 0, 10_000_000);
  if (seatLimit !== undefined) limits.seatLimit = seatLimit;
  if (Object.keys(limits).length > 0) options.limits = limits as EmulatorOptions['limits'];

  const callbackFlags = [values['callback-url'], values['callback-token'], values['encoding-aes-key']];
  if (callbackFlags.some((v) => v !== undefined)) {
    if (callbackFlags.some((v) => v === undefined)) {
      throw new UsageError('--callback-url, --callback-token and --encoding-aes-key go together: give all three');
    }
    options.callback = { url: values['callback-url']!, token: values['callback-token']!, encodingAESKey: values['encoding-aes-key']! };
  }

  if (values.directory !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(values.directory, 'utf8'));
    } catch (error) {
      throw new UsageError(`--directory ${values.directory}: cannot read it as JSON (${(error as Error).message})`);
    }
    try {
      Directory.validate(data);
    } catch (error) {
      if (error instanceof DirectoryError) throw new UsageError(`--directory ${values.directory}: ${error.message}`);
      throw error;
    }
    options.directory = data as DirectoryData;
  }
  return options;
}

/** What the CLI prints at start: everything a developer pastes into their app's configuration. */
export function banner(emu: Emulator): string {
  const callback = emu.state.config.callback;
  return [
    'WeCom emulator is running',
    `  API base URL      ${emu.url}   (use as the SDK's baseUrl instead of https://qyapi.weixin.qq.com)`,
    `  Corp ID           ${emu.corpId}`,
    `  Agent ID          ${emu.agentId}`,
    `  Secret            ${emu.secret}`,
    `  Contact secret    ${emu.contactSyncSecret}`,
    `  Robot key         ${emu.robotKeys.join(', ')}`,
    `  Callback URL      ${callback ? callback.url : '(none: pass --callback-url, --callback-token, --encoding-aes-key)'}`,
    `  Console           ${emu.consoleUrl}`,
    `  Control API       ${emu.url}/_emulator/`,
    '',
  ].join('\n');
}

/**
 * Runs the CLI. Resolves with an exit code when it will not keep running (help, bad flags, failed start), or
 * with the running emulator.
 */
export async function main(argv: string[], io: CliIO = process): Promise<number | Emulator> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`wecom-emulator: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  let emu: Emulator;
  try {
    emu = await startEmulator(options);
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${options.port} is in use; pick another with --port` : (error as Error).message;
    io.stderr.write(`wecom-emulator: ${message}\n`);
    return error instanceof TypeError ? 2 : 1;
  }
  io.stdout.write(banner(emu));
  return emu;
}

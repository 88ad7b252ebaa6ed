/**
 * `wecom`: the SDK's command line. `main` takes argv and streams and returns the exit code, so it runs the same
 * in tests and from bin/wecom.js. Exit codes are a contract: 0 ok, 1 WeCom error, 2 bad usage/input, 3 network.
 */
import { CallbackCryptoError } from '../callback/crypto.ts';
import { CallbackRequestError } from '../callback/errors.ts';
import { WeComClient } from '../client.ts';
import { ConfigError, WeComError, WeComHttpError, WeComNetworkError } from '../errors.ts';
import { MessageValidationError } from '../messages/checker.ts';
import { departmentCommand, jssdkCommand, recallCommand, sendCommand, userCommand } from './api-commands.ts';
import { callbackCommand } from './callback.ts';
import { loadEnv } from './env.ts';
import { COMMAND_HELP, MAIN_HELP } from './help.ts';
import { EXIT, UsageError, type CliIO } from './io.ts';

type ApiCommand = (args: string[], io: CliIO, client: WeComClient) => Promise<void>;

const API_COMMANDS: Record<string, ApiCommand> = {
  send: sendCommand,
  recall: recallCommand,
  user: userCommand,
  department: departmentCommand,
  jssdk: jssdkCommand,
};

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? args[0] : undefined;
    io.stdout.write(topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : MAIN_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(COMMAND_HELP[command] ?? MAIN_HELP);
    return COMMAND_HELP[command] ? EXIT.ok : EXIT.usage;
  }

  let client: WeComClient | undefined;
  try {
    const env = loadEnv(io.env);
    if (command === 'callback') {
      await callbackCommand(args, io, env);
      return EXIT.ok;
    }
    const run = API_COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"; run wecom --help`);
    client = WeComClient.fromEnv(env, { dotenv: false });
    await run(args, io, client);
    return EXIT.ok;
  } catch (error) {
    const [code, message] = describe(error);
    io.stderr.write(`${message}\n`);
    if (code === EXIT.usage && error instanceof UsageError) io.stderr.write(`run "wecom ${COMMAND_HELP[command] ? `${command} ` : ''}--help" for usage\n`);
    return code;
  } finally {
    await client?.close().catch(() => {});
  }
}

/** Maps a failure to its exit code and the line printed on stderr (never a token or secret: no error carries one). */
export function describe(error: unknown): [number, string] {
  if (error instanceof WeComError) return [EXIT.wecom, error.message];
  if (error instanceof WeComNetworkError || error instanceof WeComHttpError) return [EXIT.network, `network failure: ${error.message}`];
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof MessageValidationError) return [EXIT.usage, error.message];
  if (error instanceof CallbackCryptoError || error instanceof CallbackRequestError) return [EXIT.usage, error.message];
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return [EXIT.usage, (error as Error).message];
  // The token store's PostgreSQL (DATABASE_URL) unreachable.
  if (typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code)) {
    return [EXIT.network, `network failure: ${code} (${(error as Error).message})`];
  }
  return [EXIT.wecom, `error: ${(error as Error)?.message ?? String(error)}`];
}

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

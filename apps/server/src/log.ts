/**
 * The process's one logger (pino, which fastify and our worker use too), in one of two formats:
 *   - json: one JSON object a line, for a log collector (production: NODE_ENV=production, or LOG_FORMAT=json);
 *   - pretty: for a person at a terminal (development): the time, the level and the message, colours on a TTY.
 * Pairview's own start-up lines (`say`, main.ts) stay the plain "pairview: …" sentences in development and
 * become log records in JSON. Requests are logged at debug, not info: a terminal shows what happened, not every
 * poll of /healthz.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.ts';

export type LogFormat = 'json' | 'pretty';

/** What main.ts and its helpers say about the process: start-up, warnings, shutdown. */
export interface Say {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Fields pino replaces with "[redacted]" at the top of a record and one level down: nothing Pairview logs
 * carries them, but a future `log.info({ headers })` must not leak a cookie or a WeCom secret.
 */
const SECRET_FIELDS = ['cookie', 'authorization', '["set-cookie"]', 'secret', 'token', 'access_token', 'encodingAesKey', 'EncodingAESKey'];
const REDACT = SECRET_FIELDS.flatMap((field) => [field, `*${field.startsWith('[') ? '' : '.'}${field}`]);

export function createLogger(options: { level: Config['logLevel']; format: LogFormat; destination?: NodeJS.WritableStream }): Logger {
  const base = { level: options.level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (options.format === 'json') return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
  const stream = pretty({
    colorize: options.destination === undefined && process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true, // the lines of a shutdown must be out before the process exits
    ...(options.destination ? { destination: options.destination } : {}),
  });
  return pino(base, stream);
}

/** The plain "pairview: …" sentences (also what is said before the configuration is read). */
export const plainSay: Say = {
  info: (message) => console.log(`pairview: ${message}`),
  warn: (message) => console.warn(`pairview: warning: ${message}`),
};

/** The "pairview: …" lines: plain sentences in development, log records in JSON. */
export function sayThrough(logger: Logger, format: LogFormat): Say {
  return format === 'json' ? { info: (message) => logger.info(message), warn: (message) => logger.warn(message) } : plainSay;
}

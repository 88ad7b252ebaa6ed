import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../test/helpers.ts';
import { ConfigError } from './config.ts';
import { createLogger } from './log.ts';

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  return { stream, lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('log format', () => {
  it('pretty: one readable line per record (time, level, message), no JSON; secrets redacted', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', format: 'pretty', destination: stream });
    logger.warn('worker liveness lock failed');
    logger.info({ secret: 'wecom-secret-value', headers: { cookie: 'pairview_session=abc' } }, 'with fields');
    await flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: worker liveness lock failed$/);
    expect(lines[1]).toMatch(/INFO: with fields/);
    expect(lines.join('\n')).not.toMatch(/wecom-secret-value|pairview_session=abc/);
  });

  it('json: one JSON object a line', async () => {
    const { stream, lines } = capture();
    createLogger({ level: 'info', format: 'json', destination: stream }).info('ready');
    await flush();
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'ready' });
  });

  it('LOG_FORMAT, defaulting to json with NODE_ENV=production and pretty otherwise; anything else is refused', () => {
    expect(testConfig().logFormat).toBe('pretty');
    expect(testConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(testConfig({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => testConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => testConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json .* or pretty/);
  });
});

describe('request logging', () => {
  let database: MigratedTestDatabase;
  beforeAll(async () => {
    database = await createMigratedDatabase('pv_request_log');
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function requests(level: 'info' | 'debug', urls: string[]): Promise<string[]> {
    const { stream, lines } = capture();
    const app = await buildTestApp(database, { logger: createLogger({ level, format: 'json', destination: stream }) });
    try {
      for (const url of urls) await app.inject({ method: 'GET', url });
    } finally {
      await app.close();
    }
    await flush();
    return lines;
  }

  it('at info, requests are not logged (a terminal is not filled with /healthz)', async () => {
    expect(await requests('info', ['/healthz', '/api/me'])).toEqual([]);
  });

  it('at debug, one line per request with its status and the URL, a candidate link token redacted', async () => {
    const lines = (await requests('debug', ['/healthz', '/api/room-links/secret-link-token'])).map((line) => JSON.parse(line) as Record<string, unknown>);
    const logged = lines.filter((l) => l['msg'] === 'request');
    expect(logged.map((l) => [l['url'], l['status']])).toEqual([
      ['/healthz', 200],
      ['/api/room-links/[redacted]', 403],
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-link-token');
  });
});

/**
 * Pairview and the emulator it starts, talking over real HTTP: the emulator verifies Pairview's callback URL
 * with this start's Token and EncodingAESKey (§6.2) and delivers an encrypted event that Pairview logs. The
 * HTTP server listens on port 0 before anything is configured, so the public URL is known up front.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { createMigratedDatabase, testConfig, type MigratedTestDatabase } from '../../test/helpers.ts';
import { startWeCom, withDevelopmentDefaults, type WeComIntegration } from './index.ts';

describe('Pairview and its emulator over HTTP', () => {
  let database: MigratedTestDatabase;
  let server: Server;
  let app: FastifyInstance | undefined;
  let wecom: WeComIntegration;
  let base: string;

  beforeAll(async () => {
    database = await createMigratedDatabase('pv_wecom_wiring');
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (app) app.routing(request, response);
      else response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    const config = withDevelopmentDefaults(testConfig({ PAIRVIEW_ADMINS: '', PAIRVIEW_PUBLIC_URL: base }));
    wecom = await startWeCom({ config, db: database.db, pool: database.pool, clock: systemClock, log: { info() {}, warn() {} }, emulatorPort: 0 });
    app = await buildApp({ config, db: database.db, pool: database.pool, wecomStatus: () => wecom.status(), plugins: [wecom.plugin] });
  });
  afterAll(async () => {
    await app?.close();
    await wecom?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await database?.drop();
  });

  it('passes URL verification within WeCom\'s 1 s and receives encrypted events', async () => {
    const emu = wecom.emulator!;
    const verification = await (await fetch(`${emu.url}/_emulator/callbacks/verify`, { method: 'POST' })).json();
    expect(verification).toMatchObject({ status: 'passed', httpStatus: 200 });

    const delivery = await emu.control.sendCallback({ MsgType: 'event', Event: 'enter_agent', FromUserName: 'lina' });
    expect(delivery).toMatchObject({ status: 'delivered' });
    const logged = await database.db.selectFrom('inbound_callbacks').select(['event_type']).execute();
    expect(logged.map((r) => r.event_type)).toEqual(['event:enter_agent']);

    const health = (await app!.inject('/healthz')).json();
    expect(health.wecom).toMatchObject({ status: 'ok', mode: 'emulator', callbackUrl: `${base}/wecom/callback` });
  });
});

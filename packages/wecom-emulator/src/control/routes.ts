/**
 * The HTTP control API under /_emulator/ (JSON in and out), mirroring `emu.control`. Bad input → HTTP 400
 * `{"error": "..."}`.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CallbackNotConfiguredError, type EmulatorState } from '../state/index.ts';
import { ControlError, type EmulatorControl } from './control.ts';

export interface ControlRoutesOptions {
  state: EmulatorState;
  control: EmulatorControl;
}

function fail(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof ControlError) return reply.code(400).send({ error: error.message });
  if (error instanceof CallbackNotConfiguredError) return reply.code(501).send({ error: error.message });
  throw error;
}

const object = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * The control API can reset the company, load a directory and read every call: only for the test or tool on
 * this machine, never for a web page. A browser page of another site is refused by its Origin, and a DNS
 * rebinding attack (a site's own name pointed at 127.0.0.1) by the Host: only an IP address or `localhost` is
 * accepted as the host a request was sent to.
 */
function controlRefusal(headers: { host?: string | undefined; origin?: string | undefined }): string | undefined {
  const host = headers.host ?? '';
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  if (!(hostname === 'localhost' || isIP(hostname) !== 0)) return `Host ${host} refused: call the control API by IP address or localhost`;
  if (headers.origin !== undefined && headers.origin !== `http://${host}` && headers.origin !== `https://${host}`) {
    return `cross-site request refused: the control API takes no requests from web pages of ${headers.origin}`;
  }
  return undefined;
}

export async function controlRoutes(app: FastifyInstance, { control }: ControlRoutesOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/_emulator/')) return;
    const refusal = controlRefusal(request.headers);
    if (refusal) return reply.code(403).send({ error: refusal });
  });

  const run = (reply: FastifyReply, action: () => unknown) => {
    try {
      const result = action();
      return reply.send(result === undefined ? { ok: true } : result);
    } catch (error) {
      return fail(reply, error);
    }
  };

  app.post('/_emulator/reset', (_request, reply) => run(reply, () => control.reset()));
  app.put('/_emulator/directory', (request, reply) => run(reply, () => control.loadDirectory(request.body as never)));
  app.get('/_emulator/calls', (request, reply) => {
    const query = object(request.query);
    return run(reply, () => {
      const since = query.since === undefined || query.since === '' ? undefined : Number(query.since);
      return control.calls({ path: query.path ? String(query.path) : undefined, since });
    });
  });
  app.get('/_emulator/messages', (request, reply) => {
    const { userid } = object(request.query);
    return run(reply, () => control.messages(userid ? { userid: String(userid) } : {}));
  });
  app.get('/_emulator/stats', (_request, reply) => run(reply, () => control.stats()));
  app.get('/_emulator/robot-messages', (request, reply) => {
    const { key } = object(request.query);
    return run(reply, () => control.robotMessages(key ? { key: String(key) } : {}));
  });
  app.post('/_emulator/faults', (request, reply) => run(reply, () => control.injectFault(request.body as never)));
  app.delete('/_emulator/faults', (_request, reply) => run(reply, () => control.clearFaults()));
  app.post('/_emulator/tokens/revoke', (_request, reply) => run(reply, () => control.revokeTokens()));
  app.post('/_emulator/clock/advance', (request, reply) => run(reply, () => control.advanceClock(object(request.body).seconds as number)));
  app.post('/_emulator/latency', (request, reply) => run(reply, () => control.setLatency(object(request.body).ms as number)));
  app.post('/_emulator/oauth/code', (request, reply) => {
    const body = object(request.body);
    return run(reply, () => ({ code: control.oauthCode(body.userid as string, body.agentId === undefined ? {} : { agentId: body.agentId as number | null }) }));
  });
  // POST /_emulator/callbacks is served by the callbacks plugin (src/callbacks/plugin.ts), which owns delivery.
}

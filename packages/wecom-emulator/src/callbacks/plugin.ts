/**
 * Fastify plugin: WeCom's side of the callbacks, for tests and tools that are not in the same process.
 *
 *   POST /_emulator/callbacks          deliver an event → the delivery record. The body is the SDK's typed event
 *                                      (`{"type":"text","fromUserName":"zhangsan","content":"hi"}`) or WeCom's XML
 *                                      names (`{"MsgType":"event","Event":"enter_agent","FromUserName":"zhangsan"}`);
 *                                      ToUserName, CreateTime, AgentID and MsgId are filled in as WeCom does.
 *   GET  /_emulator/callbacks          the delivery log (?userid= &since=<id>), oldest first
 *   POST /_emulator/callbacks/verify   run URL verification (§6.2) against the configured URL → the record
 *
 * `emu.control.sendCallback` reaches the same service through `state.deliverCallback`, which the service registers.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CallbackNotConfiguredError, type EmulatorState } from '../state/index.ts';
import { CallbackEventError } from './events.ts';
import { callbackService } from './service.ts';

export interface CallbacksPluginOptions {
  state: EmulatorState;
}

export const callbacksPlugin: FastifyPluginAsync<CallbacksPluginOptions> = async (app, { state }) => {
  const service = callbackService(state);

  app.post('/_emulator/callbacks', async (request, reply) => {
    try {
      return await service.send(request.body);
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get<{ Querystring: { userid?: string; since?: string } }>('/_emulator/callbacks', async (request, reply) => {
    const { userid, since } = request.query;
    if (since !== undefined && !/^\d+$/.test(since)) return reply.code(400).send({ error: '"since" must be a record id (a non-negative integer)' });
    return service.deliverer.records({ ...(userid ? { userid } : {}), ...(since !== undefined ? { since: Number(since) } : {}) });
  });

  app.post('/_emulator/callbacks/verify', async (_request, reply) => {
    try {
      return await service.verifyUrl();
    } catch (error) {
      return sendError(reply, error);
    }
  });
};

/** Bad input → 400, no callback URL → 501 (as the control API answers); the message says what to fix. Anything else is a bug: rethrow. */
export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof CallbackEventError) return reply.code(400).send({ error: error.message });
  if (error instanceof CallbackNotConfiguredError) return reply.code(501).send({ error: error.message });
  throw error;
}

export default callbacksPlugin;

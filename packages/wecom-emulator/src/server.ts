/**
 * The emulator's fastify app: WeCom's API under /cgi-bin/, the control API under /_emulator/, the OAuth pages,
 * and H5's plugins (callback delivery, member console). Builds the app; never listens (emulator.ts does).
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { apiRoutes } from './api/index.ts';
import { apiNotFound, registerApiRoutes } from './api/pipeline.ts';
import { callbacksPlugin } from './callbacks/plugin.ts';
import { consolePlugin } from './console/plugin.ts';
import type { EmulatorControl } from './control/control.ts';
import { controlRoutes } from './control/routes.ts';
import { oauthPages } from './oauth/pages.ts';
import type { EmulatorState } from './state/index.ts';

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

function maskUrl(url: string): string {
  return url.replace(/([?&](?:access_token|corpsecret|key)=)[^&]*/g, '$1***');
}

export async function buildServer(state: EmulatorState, control: EmulatorControl, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger
      ? {
          serializers: {
            // access_token, corpsecret and the robot key travel in the query string: mask them in logged URLs.
            req: (request) => ({ method: request.method, url: maskUrl(request.url), remoteAddress: request.ip }),
          },
        }
      : false,
  });
  await app.register(formbody);

  // WeCom reads JSON bodies whatever the Content-Type says, and answers bad JSON with errcode 40058, not
  // HTTP 400: the API context takes every body as bytes and the pipeline parses it.
  await app.register(async (api) => {
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES + 1024 * 1024 }, (_request, body, done) => done(null, body));
    await api.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 1, fields: 10 } });
    registerApiRoutes(api, state, apiRoutes);
  });

  await app.register(controlRoutes, { state, control });
  await app.register(oauthPages, { state });
  await app.register(callbacksPlugin, { state });
  await app.register(consolePlugin, { state });
  app.setNotFoundHandler((request, reply) => apiNotFound(state, request, reply));
  return app;
}

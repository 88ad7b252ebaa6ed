import type { FastifyInstance } from 'fastify';
import type { EmulatorPluginOptions } from '../state/index.ts';

export async function oauthPages(_app: FastifyInstance, _options: EmulatorPluginOptions): Promise<void> {}

// The HTTP API: Piston's v2 routes (GET /api/v2/runtimes, POST /api/v2/execute) with Piston's status codes and
// messages, plus ours: GET /api/v2/sandbox (the sandbox report and the queue).
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../languages/registry.ts';
import { executeJob, JobInputError } from '../jobs/execute.ts';
import type { JobEnv } from '../jobs/execute.ts';
import type { Scheduler } from '../jobs/scheduler.ts';
import { QueueFullError, SchedulerClosedError } from '../jobs/scheduler.ts';
import type { SandboxReport, SandboxStatus } from '../types.ts';
import { validateExecute } from './validate.ts';

export interface AppDeps {
  registry: Registry;
  env: JobEnv | null;
  scheduler: Scheduler;
  report: SandboxReport;
  /** What changes after start (the C++ precompiled header's state). */
  status?: () => Pick<SandboxStatus, 'cxxPrecompiledHeader'>;
  /** Aborted when the runner closes: running jobs are killed. */
  shutdown: AbortSignal;
  log: (line: string) => void;
  bodyLimit?: number;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit ?? 4 * 1024 * 1024, forceCloseConnections: true });

  // Piston: any non-GET request to the API must say application/json, else 415 (before the body is parsed).
  app.addHook('onRequest', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return reply.code(415).send({ message: 'requests must be of type application/json' });
    }
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 400 || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      // Piston answers a body it cannot parse with 400 {stack}; ours carries the parser's message, no frames.
      return reply.code(400).send({ message: `invalid JSON body: ${error.message}`, stack: `SyntaxError: ${error.message}` });
    }
    if (status === 413) return reply.code(413).send({ message: `request body too large (limit ${deps.bodyLimit ?? 4 * 1024 * 1024} bytes)` });
    if (status === 415) return reply.code(415).send({ message: 'requests must be of type application/json' });
    deps.log(`runner: internal error: ${error.message}`);
    return reply.code(500).send();
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: 'Not Found' }));

  app.get('/', async () => ({ message: 'Pairview runner (Piston v2 API)' }));
  app.get('/api/v2/runtimes', async () => deps.registry.list());
  app.get(
    '/api/v2/sandbox',
    async (): Promise<SandboxStatus> => ({
      ...deps.report,
      cxxPrecompiledHeader: 'off',
      ...deps.status?.(),
      queue: deps.scheduler.stats(),
      compileCache: deps.env?.cache.stats() ?? null,
    }),
  );

  app.post('/api/v2/execute', async (request, reply) => {
    const checked = validateExecute(request.body, deps.registry.find);
    if (!checked.ok) return reply.code(400).send({ message: checked.message });
    if (!deps.env) return reply.code(503).send({ message: `the sandbox is not available on this machine: ${deps.report.problems[0] ?? 'unknown'}` });

    // A client that goes away takes its job with it: out of the queue, or killed if running.
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort();
    };
    reply.raw.on('close', onClose);
    const signal = AbortSignal.any([gone.signal, deps.shutdown]);
    let release: (() => void) | null = null;
    try {
      release = await deps.scheduler.acquire(signal);
    } catch (error) {
      if (error instanceof QueueFullError || error instanceof SchedulerClosedError) return reply.code(503).send({ message: error.message });
      return reply.code(499).send({ message: 'the client went away' });
    }
    try {
      return reply.code(200).send(await executeJob(deps.env, checked.job, signal));
    } catch (error) {
      if (error instanceof JobInputError) return reply.code(400).send({ message: error.message });
      throw error;
    } finally {
      release();
      reply.raw.off('close', onClose);
    }
  });
  return app;
}

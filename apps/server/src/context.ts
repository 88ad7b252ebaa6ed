/**
 * What every route handler and plugin may use, in a module of its own: the routes import it, and app.ts imports
 * the routes, so the context living in app.ts made each routes module and app.ts import each other.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/pool.ts';
import type { CollabServer } from './rooms/collab/server.ts';
import type { CodeRunner } from './runner/service.ts';

/** What every route handler may use. */
export interface AppContext {
  config: Config;
  db: Db;
  pool: pg.Pool;
  clock: Clock;
  /** Signs the session cookie. */
  sessionSecret: string;
  /** The collaboration server, when this process runs one (main.ts does; most tests do not). */
  collab: Pick<CollabServer, 'reseedUntouchedPad'> | undefined;
  /** Server-side runs (runner/service.ts), when a code runner is configured or embedded; undefined: none. */
  runner: CodeRunner | undefined;
}

/** Routes added by the WeCom glue (OAuth sign-in, /wecom/callback): plain fastify routes with `config.policy`. */
export type AppPlugin = (app: FastifyInstance, context: AppContext) => Promise<void> | void;

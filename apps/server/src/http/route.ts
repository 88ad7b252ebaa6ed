/**
 * How a Pairview route is declared: method, URL, access policy, zod schemas for params/query/body and for the
 * response, and a handler that gets parsed input and the principal. The policy is required by the type and by
 * the app (app.ts refuses any route, ours or the WeCom glue's, registered without one).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Policy } from '../auth/policies.ts';
import type { Principal } from '../auth/principal.ts';
import type { FieldLocation } from '../errors.ts';
import type { RouteRateLimit } from './rate-limits.ts';
import { validationError } from './validation.ts';

type Schema = z.ZodType;

export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema, R extends Schema = Schema> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** One line for the route list (README, report). */
  summary: string;
  policy: Policy;
  params?: P;
  query?: Q;
  body?: B;
  /** The 2xx body. Handlers' results are parsed through it, so a field not declared here never leaves. */
  response: R;
  status?: number;
  /** Requests allowed per window (http/rate-limits.ts); none: not counted. */
  rateLimit?: RouteRateLimit;
  handler(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    principal: Principal | undefined;
    request: FastifyRequest;
    reply: FastifyReply;
  }): Promise<z.input<R>>;
}

/** Identity function that lets TypeScript infer the schemas' types for the handler. */
export function route<P extends Schema, Q extends Schema, B extends Schema, R extends Schema>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return spec;
}

function parse<S extends Schema>(schema: S | undefined, value: unknown, where: FieldLocation): z.output<S> {
  if (!schema) return value as z.output<S>;
  // reportInput: a missing field (no input) reads "required", a present but wrong one says what it should be.
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}), { reportInput: true });
  if (result.success) return result.data;
  throw validationError(result.error, where);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

export function registerRoutes(app: FastifyInstance, routes: readonly AnyRoute[]): void {
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.url,
      config: { policy: spec.policy, summary: spec.summary, ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}) },
      handler: async (request, reply) => {
        const params = parse(spec.params, request.params, 'params');
        const query = parse(spec.query, request.query, 'query');
        const body = parse(spec.body, request.body, 'body');
        if (spec.status) reply.code(spec.status);
        const result = await spec.handler({ params, query, body, principal: request.principal, request, reply });
        return spec.response.parse(result);
      },
    });
  }
}

/** Query-string helpers: everything arrives as a string. */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const isoDateTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
export const uuid = z.uuid();

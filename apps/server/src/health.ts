/** GET /healthz: is the database reachable, and what state is the WeCom connection in. */
import { z } from 'zod';
import type { AppContext } from './context.ts';
import { publicAccess } from './auth/policies.ts';
import { pingDatabase } from './db/pool.ts';
import { route } from './http/route.ts';

/** Filled by the WeCom glue (token fetch, emulator or real app); `not_configured` until it exists. */
export type WeComStatus =
  | { status: 'not_configured' }
  | { status: 'ok'; mode: 'emulator' | 'wecom'; [detail: string]: unknown }
  | { status: 'error'; mode: 'emulator' | 'wecom'; message: string; [detail: string]: unknown };

const notConfigured = async (): Promise<WeComStatus> => ({ status: 'not_configured' });

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ status: z.enum(['ok', 'error']), message: z.string().optional() }),
  wecom: z.looseObject({ status: z.enum(['ok', 'error', 'not_configured']) }),
});

export function healthRoutes(context: AppContext, wecomStatus: () => Promise<WeComStatus> = notConfigured) {
  return [
    route({
      method: 'GET',
      url: '/healthz',
      summary: 'Database and WeCom status; 503 when the database is unreachable',
      policy: publicAccess,
      response: healthResponse,
      async handler({ reply }) {
        const [database, wecom] = await Promise.all([
          pingDatabase(context.pool),
          wecomStatus().catch((error: unknown): WeComStatus => ({
            status: 'error',
            mode: context.config.wecom ? 'wecom' : 'emulator',
            message: error instanceof Error ? error.message : String(error),
          })),
        ]);
        // 503 only for the database: WeCom being down degrades Pairview (messages queue) but does not stop it.
        if (database.status !== 'ok') reply.code(503);
        const status = database.status === 'ok' && wecom.status !== 'error' ? ('ok' as const) : ('degraded' as const);
        return { status, database, wecom };
      },
    }),
  ];
}

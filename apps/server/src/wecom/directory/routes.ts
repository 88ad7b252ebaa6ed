/**
 * `POST /api/wecom/directory-sync` (admin): "sync the directory now", for the admin who just added people to the
 * app's visible range and does not want to wait for 02:00. The same sync as at start and at night (sync.ts): one
 * at a time across the cluster, recorded for /healthz. WeCom refusing the read is a 502 that names the errcode
 * and changes nothing.
 */
import { z } from 'zod';
import type { AppPlugin } from '../../context.ts';
import { anyRole } from '../../auth/policies.ts';
import { PairviewError } from '../../errors.ts';
import { registerRoutes, route } from '../../http/route.ts';
import type { WeComGlueDeps } from '../deps.ts';
import { errcodeOf, messageOf } from '../job-runs.ts';
import { runDirectorySync } from './sync.ts';

export const DIRECTORY_SYNC_PATH = '/api/wecom/directory-sync';

/** WeCom could not be read: Pairview is fine, the upstream is not (502). */
class DirectorySyncFailed extends PairviewError {
  override name = 'DirectorySyncFailed';
  constructor(error: unknown) {
    const errcode = errcodeOf(error);
    const en = `WeCom did not give the directory${errcode !== null ? ` (errcode ${errcode})` : ''}, so nobody was changed: ${messageOf(error)}`;
    const zh = `未能从企业微信读取通讯录${errcode !== null ? `（错误码 ${errcode}）` : ''}，人员未做任何改动。详情见企业微信连接状态。`;
    super(502, 'wecom_unavailable', { code: 'directory_sync_failed', en, zh }, zh);
  }
}

const result = z.discriminatedUnion('status', [
  z.object({ status: z.literal('synced'), members: z.number(), created: z.number(), updated: z.number(), deactivated: z.number() }),
  z.object({ status: z.literal('skipped'), reason: z.string() }),
]);

export function directorySyncRoutes(deps: Pick<WeComGlueDeps, 'client' | 'db' | 'pool' | 'clock'>): AppPlugin {
  return (app) => {
    registerRoutes(app, [
      route({
        method: 'POST',
        url: DIRECTORY_SYNC_PATH,
        summary: 'Sync the directory from WeCom now (admin)',
        policy: anyRole('admin'),
        response: result,
        async handler() {
          try {
            return await runDirectorySync(deps);
          } catch (error) {
            throw new DirectorySyncFailed(error);
          }
        },
      }),
    ]);
  };
}

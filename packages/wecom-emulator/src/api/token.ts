/**
 * GET /cgi-bin/gettoken (wecom-protocol.md §2). Check order: corpsecret missing 41004 → corpid missing 41002 →
 * unknown corpid 40013 → wrong secret 40001. The same token comes back while it is valid.
 */
import { ApiError } from '../errors.ts';
import type { ApiRoute } from './pipeline.ts';

export const tokenRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/cgi-bin/gettoken',
    auth: 'none',
    handle({ state, query }) {
      const { config } = state;
      if (!query.corpsecret) throw new ApiError(41004);
      if (!query.corpid) throw new ApiError(41002);
      if (query.corpid !== config.corpId) throw new ApiError(40013);
      const app = config.apps.find((a) => a.secret === query.corpsecret);
      const isContactSync = !app && query.corpsecret === config.contactSyncSecret;
      if (!app && !isContactSync) throw new ApiError(40001);
      const issued = state.tokens.issue(app ? 'app' : 'contact-sync', app ? app.agentId : null);
      // §12.1: WeCom's repeated fetch answers 7200 (documented) — or, configurably, the seconds left.
      const expiresIn =
        config.behaviour.tokenExpiresIn === 'remaining' ? Math.max(1, Math.floor((issued.expiresAt - state.clock.now()) / 1000)) : config.tokenTtlSeconds;
      return { access_token: issued.token, expires_in: expiresIn };
    },
  },
];

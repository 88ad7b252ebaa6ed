/**
 * Code → identity (wecom-protocol.md §7.3, §7.4): auth/getuserinfo and auth/getuserdetail, plus the legacy
 * user/getuserinfo (its own casing: UserId, DeviceId) and user/getuserdetail. Codes are single use, valid 5
 * minutes and bound to their app; anything else is 40029.
 */
import { ApiError } from '../errors.ts';
import { USER_TICKET_TTL_SECONDS } from '../state/oauth.ts';
import { requireApp } from './message.ts';
import type { ApiContext, ApiRoute } from './pipeline.ts';

/** Uses the code and returns the member plus a user_ticket for snsapi_privateinfo members in the visible range. */
function exchange(ctx: ApiContext) {
  const app = requireApp(ctx);
  const code = ctx.query.code;
  if (!code) throw new ApiError(41008);
  const record = ctx.state.oauth.takeCode(code, app.agentId);
  if (!record) throw new ApiError(40029);
  const user = ctx.state.directory.user(record.userid);
  const ticket =
    record.scope === 'snsapi_privateinfo' && user && ctx.state.isVisible(app, user) ? ctx.state.oauth.issueUserTicket(user.userid, app.agentId) : undefined;
  return { userid: user?.userid ?? record.userid, ticket };
}

function detail(ctx: ApiContext) {
  requireApp(ctx);
  const { user_ticket: userTicket } = ctx.body as Record<string, unknown>;
  if (typeof userTicket !== 'string' || userTicket === '') throw new ApiError(40058, { text: 'invalid Request Parameter, user_ticket is required' });
  const ticket = ctx.state.oauth.userTicket(userTicket);
  if (!ticket) throw new ApiError(40029, { text: 'invalid user_ticket' });
  const user = ctx.state.directory.user(ticket.userid);
  if (!user) throw new ApiError(60111, { text: 'userid not found' });
  return {
    userid: user.userid,
    gender: user.gender ?? '0',
    avatar: user.avatar ?? '',
    qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=emulator-${encodeURIComponent(user.userid)}`,
    mobile: user.mobile ?? '',
    email: user.email ?? '',
    biz_mail: user.biz_mail ?? '',
    address: user.address ?? '',
  };
}

export const identityRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/cgi-bin/auth/getuserinfo',
    auth: 'access_token',
    handle(ctx) {
      const { userid, ticket } = exchange(ctx);
      return { userid, ...(ticket ? { user_ticket: ticket.ticket, expires_in: USER_TICKET_TTL_SECONDS } : {}) };
    },
  },
  {
    // Legacy path with its own casing (§7.3: UserId, DeviceId; R-wxjava, R-goworkwx).
    method: 'GET',
    path: '/cgi-bin/user/getuserinfo',
    auth: 'access_token',
    handle(ctx) {
      const { userid, ticket } = exchange(ctx);
      return { UserId: userid, DeviceId: '', ...(ticket ? { user_ticket: ticket.ticket, expires_in: USER_TICKET_TTL_SECONDS } : {}) };
    },
  },
  { method: 'POST', path: '/cgi-bin/auth/getuserdetail', auth: 'access_token', handle: detail },
  { method: 'POST', path: '/cgi-bin/user/getuserdetail', auth: 'access_token', handle: detail },
];

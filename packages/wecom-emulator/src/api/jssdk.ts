/**
 * JS-SDK tickets (wecom-protocol.md §10): the corp ticket (get_jsapi_ticket) and the app ticket
 * (ticket/get?type=agent_config, 91040 for another type). 400/hour per corp and 100/hour per app → 45009.
 */
import { ApiError } from '../errors.ts';
import { TICKET_TTL_SECONDS } from '../state/tickets.ts';
import { requireApp } from './message.ts';
import type { ApiRoute } from './pipeline.ts';

export const jssdkRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/cgi-bin/get_jsapi_ticket',
    auth: 'access_token',
    handle(ctx) {
      requireApp(ctx);
      if (ctx.state.quotas.jsapiCorp.tryTake('corp') !== -1) throw new ApiError(45009);
      const ticket = ctx.state.tickets.issue('jsapi', null);
      return { ticket: ticket.ticket, expires_in: TICKET_TTL_SECONDS };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/ticket/get',
    auth: 'access_token',
    handle(ctx) {
      const app = requireApp(ctx);
      if (ctx.query.type !== 'agent_config') throw new ApiError(91040);
      if (ctx.state.quotas.jsapiApp.tryTake(`app:${app.agentId}`) !== -1 || ctx.state.quotas.jsapiCorp.tryTake('corp') !== -1) throw new ApiError(45009);
      const ticket = ctx.state.tickets.issue('agent_config', app.agentId);
      return { ticket: ticket.ticket, expires_in: TICKET_TTL_SECONDS };
    },
  },
];

/** getcallbackip / get_api_domain_ip (wecom-protocol.md §6.11): the emulator calls back from this machine. */
import type { ApiRoute } from './pipeline.ts';

export const ipRoutes: ApiRoute[] = [
  { method: 'GET', path: '/cgi-bin/getcallbackip', auth: 'access_token', zero: { ip_list: [] }, handle: () => ({ ip_list: ['127.0.0.1'] }) },
  { method: 'GET', path: '/cgi-bin/get_api_domain_ip', auth: 'access_token', zero: { ip_list: [] }, handle: () => ({ ip_list: ['127.0.0.1'] }) },
];

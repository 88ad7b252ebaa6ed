/** Every WeCom API route the emulator serves. A path not listed here answers HTTP 404 (§1.4). */
import { appchatRoutes } from './appchat.ts';
import { contactRoutes } from './contacts.ts';
import { identityRoutes } from './identity.ts';
import { ipRoutes } from './ips.ts';
import { jssdkRoutes } from './jssdk.ts';
import { mediaRoutes } from './media.ts';
import { messageRoutes } from './message.ts';
import type { ApiRoute } from './pipeline.ts';
import { tokenRoutes } from './token.ts';
import { webhookRoutes } from './webhook.ts';

export const apiRoutes: ApiRoute[] = [
  ...tokenRoutes,
  ...messageRoutes,
  ...mediaRoutes,
  ...contactRoutes,
  ...identityRoutes,
  ...jssdkRoutes,
  ...appchatRoutes,
  ...webhookRoutes,
  ...ipRoutes,
];

/**
 * Sign-in with WeCom: `startWeCom` registers `createOAuthPlugin(deps)` among the app's plugins
 * (GET /auth/wecom/start, GET /auth/wecom/callback).
 */
export { createOAuthPlugin, isWeComBrowser, START_PATH, CALLBACK_PATH, type OAuthDeps } from './plugin.ts';
export { sameSitePath } from './redirect.ts';

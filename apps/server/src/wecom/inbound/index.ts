/**
 * The inbound half of the WeCom glue: WeCom → Pairview. `startWeCom` registers `createCallbackPlugin(deps)` among
 * the app's plugins and `inboundTasks(deps)` among the worker's tasks, and awaits `plugin.idle()` on stop.
 */
export { createCallbackPlugin, CALLBACK_PATH, type CallbackPlugin, type CallbackPluginOptions } from './plugin.ts';
export { inboundTasks } from './tasks.ts';
export { handleCallback, type HandleResult, type InboundDeps } from './handle.ts';
export { parseCardKey, type CardKey } from './card-keys.ts';
export { parseBotCommand, type BotCommand } from './commands.ts';
export { HANDLE_CALLBACK_TASK } from '../callback-log.ts';

/**
 * The outbound WeCom glue: `createWeComNotifier(deps)` renders Pairview's domain notifications in zh/en and sends
 * them through @pairview/wecom with its cluster-wide quotas, duplicate-checked retries and the card registry.
 */
export { createWeComNotifier, DUPLICATE_CHECK_INTERVAL_S, MAX_WAIT_MS, TransientDeliveryError, type WeComNotifierOptions } from './notifier.ts';
export { cardTaskId, decisionKey, inviteKey, type InviteAction } from './card-keys.ts';
export { DAILY_QUOTA_LOW_SHARE, dailyQuotaStatus, type DailyQuotaStatus } from './quota.ts';
export { stringsFor, type Strings } from './i18n/index.ts';

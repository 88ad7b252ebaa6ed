/**
 * @pairview/wecom — a typed WeCom (企业微信) server SDK that stays correct when many processes share one app.
 *
 *   const client = WeComClient.fromEnv();
 *   await client.message.send({ toUser: ['zhangsan'] }, text('hello'));
 *
 * Callback receiving lives here too (router, receiver, node:http and fastify adapters); the complete callback
 * toolkit (XML, crypto primitives) is `@pairview/wecom/callback`, test helpers `@pairview/wecom/testing`.
 */

// Client and configuration
export { WeComClient, type TokenControls, type WeComClientExtras, type WeComClientOptions } from './client.ts';
export { DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, ENV_VARS, fromEnv, redactConfig, resolveConfig } from './config.ts';
export type { FromEnvOptions, WeComConfig, WeComConfigInput } from './config.ts';

// Errors
export {
  ConfigError,
  describeErrcode,
  errorClassFor,
  errorFromResponse,
  knownErrcodes,
  parseErrmsg,
  REFRESH_TOKEN_ERRCODES,
  WeComError,
  WeComHttpError,
  WeComInvalidInputError,
  WeComNetworkError,
  WeComPermissionError,
  WeComRateLimitError,
  WeComSystemBusyError,
  WeComTokenError,
  WeComTrustedIpError,
} from './errors.ts';
export type { ErrcodeInfo, ErrorResponse, ParsedErrmsg, WeComErrorInit, WeComErrorKind } from './errors.ts';

// Events
export { WeComEvents, type WeComEventMap, type WeComEventName, type WeComListener } from './events.ts';

// The pipeline and its seams
export { RequestSender, type RequestSenderOptions } from './http/request-sender.ts';
export type { ApiCaller, ApiRequest, RetrySafety, WeComResponse } from './http/types.ts';
export { backoffDelay, DEFAULT_BACKOFF, shouldRetry, TRANSIENT_ERRCODES, type BackoffPolicy } from './http/retry.ts';
export { CredentialCache, LeaseTimeoutError, MemoryTokenStore, PostgresTokenStore, tokenStoreFor } from './token/index.ts';
export type { CredentialCacheOptions, CredentialFetcher, CredentialKey, CredentialKind, FetchedCredential, PostgresTokenStoreOptions, StoredCredential, TokenStore } from './token/index.ts';
export {
  DEFAULT_QUOTA_RULES,
  MemoryQuotaStore,
  MemoryRateLimiter,
  PERSON_TIMES_PER_SEAT,
  PostgresQuotaStore,
  QUOTA_PRIORITIES,
  QuotaLimiter,
  RateLimitWaitError,
  RedisQuotaStore,
  wecomQuotaRules,
} from './limiter/index.ts';
export type {
  AcquireOptions,
  MemoryRateLimiterOptions,
  PostgresQuotaStoreOptions,
  QuotaClaim,
  QuotaLimiterOptions,
  QuotaPriority,
  QuotaRule,
  QuotaRules,
  QuotaScope,
  QuotaScopeIds,
  QuotaStore,
  QuotaWindow,
  RateLimiter,
  RedisQuotaStoreOptions,
  RedisScriptClient,
  WeComQuotaOptions,
  WindowUsage,
} from './limiter/index.ts';

// Messages: types, builders, validation
export * from './messages/index.ts';

// Resources
export * from './resources/index.ts';

// Callbacks: receiving, routing, adapters (the rest is in @pairview/wecom/callback)
export {
  CallbackCryptoError,
  CallbackHandlerError,
  CallbackReceiver,
  CallbackReplyError,
  CallbackRequestError,
  CallbackRouter,
  createCallbackHandler,
  createNodeMiddleware,
  decryptCallback,
  MemoryDedupeStore,
  parseCallbackEvent,
  respondToCallback,
  verifyUrl,
  wecomCallbackPlugin,
} from './callback/index.ts';
export type {
  CallbackContext,
  CallbackCredentials,
  CallbackEvent,
  CallbackEventOf,
  CallbackEventType,
  CallbackReceiverOptions,
  DedupeStore,
  FastifyCallbackOptions,
  NodeMiddlewareOptions,
  PassiveReply,
} from './callback/index.ts';

/**
 * The seam where the WeCom glue plugs in. It is not written yet: it needs @pairview/wecom (client, PostgreSQL
 * token store, callback handler) and @pairview/wecom-emulator. Everything it needs from Pairview is here already:
 *
 * - `Notifier` (notifications/notifier.ts): render a DomainNotification in config.locale and send it.
 * - `signInAs` + `setSessionCookie` (auth/): after the OAuth code exchange; `createOAuthState`/`consumeOAuthState`.
 * - `syncDirectory`, `upsertMember`, `deactivateMember`, `markWelcomed` (people/people.ts): directory sync,
 *   change_contact callbacks, first enter_agent.
 * - `respondToInvitation` (interviews/service.ts), `recordDecision` (scorecards/service.ts): card button clicks.
 * - `interviewsOfPerson`, `pendingScorecards` (interviews/queries.ts) with time.ts's day/week bounds: bot commands.
 * - `logInboundCallback` / `markCallbackHandled` (wecom/callback-log.ts): log + dedupe + enqueue the handler job
 *   (`handle_wecom_callback`, a task the glue supplies in `tasks`).
 * - `enqueueNotification` (notifications/outbox.ts) for bot replies and the welcome message.
 */
import type { TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { AppPlugin } from '../app.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { WeComStatus } from '../health.ts';
import type { Notifier } from '../notifications/notifier.ts';

export interface WeComIntegration {
  /** Delivers outbox notifications through WeCom. */
  notifier: Notifier;
  /** The `wecom` field of /healthz. */
  status(): Promise<WeComStatus>;
  /** Its routes (GET/POST /wecom/callback, the OAuth sign-in routes), each with `config.policy`. */
  plugin: AppPlugin;
  /** Its graphile-worker tasks (handle a logged callback, refresh the token, nightly directory sync). */
  tasks: TaskList;
  /** Printed at start beside Pairview's URL (e.g. the emulator's member console). */
  urls: { label: string; url: string }[];
  stop(): Promise<void>;
}

export interface WeComStartDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  clock: Clock;
  log: { info(message: string): void; warn(message: string): void };
}

/**
 * Starts the WeCom side of Pairview. Until the glue exists it returns undefined, and Pairview runs without
 * WeCom: notifications stay queued in the outbox (nothing is lost), /healthz reports `not_configured`.
 */
export async function startWeCom(deps: WeComStartDeps): Promise<WeComIntegration | undefined> {
  // SEAM (WeCom glue, issue 4): when deps.config.wecom is undefined, start the emulator (startEmulator from
  // @pairview/wecom-emulator) with its demo company and Pairview's callback URL (config.publicUrl + /wecom/callback);
  // otherwise use the real app from WECOM_*. Build the WeComClient with the PostgreSQL token store, run a full
  // directory sync (people/people.ts syncDirectory), and return the integration.
  void deps;
  return undefined;
}

/**
 * The WeCom side of Pairview, composed. `startWeCom` picks the WeCom to talk to — the real app from WECOM_*, or,
 * with none set, the emulator started in-process with its demo company wired to Pairview's callback URL — builds
 * the SDK client with the PostgreSQL token store, syncs the directory, and hands back what the process plugs in:
 *
 * - `notifier` (outbound/, H8): renders each DomainNotification in config.locale and sends it through the SDK.
 * - `plugin`: GET/POST /wecom/callback (inbound/, H9), the OAuth sign-in routes (oauth/, H9) and the admin's
 *   "sync the directory now" (directory/routes.ts).
 * - `tasks`: the callback handler job (inbound/), the nightly directory sync (directory/) and the token refresh
 *   (token-refresh.ts).
 * - `status()`: the `wecom` field of /healthz (status.ts).
 *
 * Everything it uses from Pairview: `Notifier` (notifications/notifier.ts); `signInAs` + `setSessionCookie`,
 * `createOAuthState`/`consumeOAuthState` (auth/); `syncDirectory`, `upsertMember`, `deactivateMember`,
 * `markWelcomed` (people/people.ts); `respondToInvitation` (interviews/service.ts), `recordDecision`
 * (scorecards/service.ts); `interviewsOfPerson`, `pendingScorecards` (interviews/queries.ts); `logInboundCallback`
 * / `markCallbackHandled` (wecom/callback-log.ts); `enqueueNotification` (notifications/outbox.ts); `seedDemoQuestions`
 * (questions/demo.ts, development mode only).
 */
import type { TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { AppPlugin } from '../context.ts';
import type { Clock } from '../clock.ts';
import type { Config, WeComAppConfig } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { WeComStatus } from '../health.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { seedDemoQuestions } from '../questions/demo.ts';
import { createWeComClient } from './client.ts';
import { createLinks, type WeComGlueDeps } from './deps.ts';
import { directorySyncRoutes } from './directory/routes.ts';
import { directoryTasks, ensureDirectorySyncPlanned, runDirectorySync, type DirectorySyncResult } from './directory/sync.ts';
import { callbackUrl, DEMO_PEOPLE, startDevelopmentEmulator } from './emulator.ts';
import { createCallbackPlugin, inboundTasks } from './inbound/index.ts';
import { messageOf } from './job-runs.ts';
import { createOAuthPlugin } from './oauth/index.ts';
import { createWeComNotifier, dailyQuotaStatus } from './outbound/index.ts';
import { wecomStatus } from './status.ts';
import { ensureTokenRefreshPlanned, refreshTokenIfDue, tokenTasks } from './token-refresh.ts';

export { withDevelopmentDefaults, DEMO_PEOPLE } from './emulator.ts';

export interface WeComIntegration {
  mode: 'emulator' | 'wecom';
  /** Delivers outbox notifications through WeCom. */
  notifier: Notifier;
  /** The `wecom` field of /healthz. */
  status(): Promise<WeComStatus>;
  /** Its routes (GET/POST /wecom/callback, the OAuth sign-in routes, POST /api/wecom/directory-sync), each with `config.policy`. */
  plugin: AppPlugin;
  /** Its graphile-worker tasks (handle a logged callback, refresh the token, nightly directory sync). */
  tasks: TaskList;
  /** Printed at start beside Pairview's URL (e.g. the emulator's member console). */
  urls: { label: string; url: string }[];
  /** Printed after the URLs (development mode: whom to sign in as). */
  hints: string[];
  /** What the first directory sync did (undefined while a real company's first sync runs in the background). */
  firstSync: DirectorySyncResult | undefined;
  /** The glue's dependencies (tests reach the client and the emulator through them). */
  deps: WeComGlueDeps;
  /** Development mode only: the in-process emulator. */
  emulator: import('@pairview/wecom-emulator').Emulator | undefined;
  stop(): Promise<void>;
}

export interface WeComStartDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  clock: Clock;
  log: { info(message: string): void; warn(message: string): void };
  /** Development mode: the emulator's port; default config.emulatorPort (tests pass 0). */
  emulatorPort?: number;
}

export async function startWeCom(start: WeComStartDeps): Promise<WeComIntegration> {
  const { config, db, pool, clock, log } = start;

  let app: WeComAppConfig;
  let emulator: WeComIntegration['emulator'];
  if (config.wecom) {
    app = config.wecom;
  } else {
    const port = start.emulatorPort ?? config.emulatorPort;
    try {
      ({ emulator, app } = await startDevelopmentEmulator(config, { port }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`the WeCom emulator cannot listen on port ${port}: it is in use; set PAIRVIEW_EMULATOR_PORT to a free port (or 0 for any)`);
      }
      throw error;
    }
  }
  const mode = emulator ? ('emulator' as const) : ('wecom' as const);
  const client = createWeComClient({ app, pool, emulatorUrl: emulator?.url, seatLimit: config.seatLimit.value });
  const deps: WeComGlueDeps = { client, config, db, pool, clock, log, links: createLinks(config.publicUrl) };

  const stop = async () => {
    await client.close();
    await emulator?.close();
  };

  let firstSync: DirectorySyncResult | undefined;
  let background: Promise<unknown> = Promise.resolve();
  try {
    await ensureDirectorySyncPlanned(db, clock, config.timeZone);
    await ensureTokenRefreshPlanned(db, clock);
    if (emulator) {
      // The demo company is small and local: sync before serving, so the first sign-in finds everyone.
      const fresh = (await db.selectFrom('people').select('id').limit(1).execute()).length === 0;
      firstSync = await syncAtStart(deps);
      if (fresh && firstSync?.status === 'synced') await grantDemoRoles(db, clock);
      // The demo company's question bank (questions/demo.ts): into an empty bank only, so once.
      const seeded = await seedDemoQuestions(db, clock);
      if (seeded > 0) log.info(`question bank: ${seeded} demo questions added`);
    } else {
      // A real company may have hundreds of departments: serve at once, sync alongside.
      background = refreshTokenIfDue(deps).then(() => syncAtStart(deps));
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const glue = composeGlue(deps);
  const urls = emulator ? [{ label: 'WeCom emulator, member console (each member\'s WeCom inbox)', url: emulator.consoleUrl }] : [];
  const hints = emulator
    ? [
        `demo sign-in: open Pairview, choose "Sign in with WeCom", then on the emulator's "sign in as…" page pick ` +
          `${DEMO_PEOPLE.adminRecruiter} 孙丽 (admin and recruiter), ${DEMO_PEOPLE.hiringManager} 张伟 (hiring manager), ` +
          `or ${DEMO_PEOPLE.interviewers.join(' / ')} (interviewers)`,
      ]
    : [];

  return {
    mode,
    notifier: glue.notifier,
    plugin: glue.plugin,
    tasks: {
      ...glue.tasks,
      ...directoryTasks({ ...deps, timeZone: config.timeZone }),
      ...tokenTasks(deps),
    },
    status: () =>
      wecomStatus({
        db,
        clock,
        quota: () => dailyQuotaStatus(client, config.seatLimit),
        mode,
        corpId: app.corpId,
        agentId: app.agentId,
        callbackUrl: callbackUrl(config.publicUrl),
        emulator: emulator && { url: emulator.url, consoleUrl: emulator.consoleUrl },
      }),
    urls,
    hints,
    firstSync,
    deps,
    emulator,
    async stop() {
      await background.catch(() => {});
      await glue.idle(); // callbacks being handled in a request finish before the pool closes
      await stop();
    },
  };
}

/** The start-up sync: logged, never fatal (Pairview serves with the people it already knows). */
async function syncAtStart(deps: WeComGlueDeps): Promise<DirectorySyncResult | undefined> {
  try {
    const result = await runDirectorySync(deps);
    if (result.status === 'synced') {
      deps.log.info(`directory: ${result.members} members from WeCom (${result.created} new, ${result.updated} updated, ${result.deactivated} deactivated)`);
    } else {
      deps.log.info(`directory: sync skipped, ${result.reason}`);
    }
    return result;
  } catch (error) {
    deps.log.warn(`directory sync failed, keeping the people Pairview knows (next try at 02:00 or the next start): ${messageOf(error)}`);
    return undefined;
  }
}

/** Fresh development database: roles for the demo people, so the whole loop can be tried at once. */
async function grantDemoRoles(db: Db, clock: Clock): Promise<void> {
  const now = clock.now();
  await db.updateTable('people').set({ roles: ['recruiter'], updated_at: now }).where('wecom_userid', '=', DEMO_PEOPLE.adminRecruiter).execute();
  await db.updateTable('people').set({ roles: ['hiring_manager'], updated_at: now }).where('wecom_userid', '=', DEMO_PEOPLE.hiringManager).execute();
}

/** The parts built beside this file: outbound/ (the Notifier), inbound/ (callbacks), oauth/ (sign-in). */
function composeGlue(deps: WeComGlueDeps): { notifier: Notifier; plugin: AppPlugin; tasks: TaskList; idle(): Promise<void> } {
  const callbacks = createCallbackPlugin(deps);
  const signIn = createOAuthPlugin(deps);
  const directory = directorySyncRoutes(deps);
  return {
    notifier: createWeComNotifier(deps),
    plugin: async (app, context) => {
      await callbacks(app, context);
      await signIn(app, context);
      await directory(app, context);
    },
    tasks: inboundTasks(deps),
    idle: () => callbacks.idle(),
  };
}

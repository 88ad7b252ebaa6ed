/**
 * What every part of the WeCom glue receives: the SDK client, Pairview's configuration and database, a clock, a
 * logger, and the links that go into WeCom messages. `startWeCom` (index.ts) builds one and hands it to the
 * outbound notifier (outbound/), the callback plugin and its tasks (inbound/), and the OAuth routes (oauth/).
 */
import type { WeComClient } from '@pairview/wecom';
import type pg from 'pg';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';

export interface WeComLinks {
  /**
   * `<public url>/auth/wecom/start?redirect=<path>`: every link in a WeCom message goes through it, so tapping it
   * inside WeCom signs the member in (in-client OAuth) and lands on `path`.
   */
  signInThenGo(path: string): string;
  /** The interviewer's room page of an interview, behind sign-in. */
  interviewRoom(id: string): string;
  /** The interview detail page (scorecards, decision), behind sign-in. */
  interview(id: string): string;
  /** The recruiter's schedule page, behind sign-in. */
  schedule(): string;
}

export interface WeComGlueDeps {
  /** The app's client, with the PostgreSQL token store (one token for every Pairview process). */
  client: WeComClient;
  /** Pairview's configuration: locale, publicUrl, timeZone, the WeCom app (undefined: the emulator). */
  config: Config;
  db: Db;
  pool: pg.Pool;
  clock: Clock;
  log: { info(message: string): void; warn(message: string): void };
  links: WeComLinks;
}

/** Paths of the web app's pages (apps/web's router). */
export const webPaths = {
  interviewRoom: (id: string) => `/interviews/${encodeURIComponent(id)}/room`,
  interview: (id: string) => `/interviews/${encodeURIComponent(id)}`,
  schedule: () => '/schedule',
} as const;

/** The links of WeCom messages, all through the sign-in route so a tap inside WeCom signs the member in first. */
export function createLinks(publicUrl: URL): WeComLinks {
  const signInThenGo = (path: string) => {
    if (!path.startsWith('/') || path.startsWith('//')) throw new Error(`signInThenGo takes a path on Pairview such as /interviews/42; got "${path}"`);
    return new URL(`/auth/wecom/start?redirect=${encodeURIComponent(path)}`, publicUrl).toString();
  };
  return {
    signInThenGo,
    interviewRoom: (id) => signInThenGo(webPaths.interviewRoom(id)),
    interview: (id) => signInThenGo(webPaths.interview(id)),
    schedule: () => signInThenGo(webPaths.schedule()),
  };
}

/**
 * Development mode (no WECOM_* variables): Pairview starts @pairview/wecom-emulator in-process with its demo
 * company and plays the real app against it. The emulator is told Pairview's callback URL and a callback Token
 * and EncodingAESKey made fresh for this start (both sides get the same pair, nothing to keep), and Pairview's
 * host:port is the app's only trusted domain, so the OAuth pages check redirect URIs as WeCom does (§7.5).
 */
import { randomInt } from 'node:crypto';
import { DEMO, startEmulator, type Emulator } from '@pairview/wecom-emulator';
import type { Config, WeComAppConfig } from '../config.ts';

/**
 * Demo people, by their userid in the emulator's demo company (packages/wecom-emulator/README.md). On a fresh
 * database they get these roles, so a first `npm start` can be tried end to end without granting anything.
 */
export const DEMO_PEOPLE = {
  /** 孙丽 Li Sun, Head of People: admin (the default PAIRVIEW_ADMINS in development) and recruiter. */
  adminRecruiter: 'sunli',
  /** 张伟 Wei Zhang, CTO: hiring manager. */
  hiringManager: 'zhangwei',
  /** 陈杰 Jie Chen and 李娜 Na Li, team leads: interviewers, like everyone else. */
  interviewers: ['chenjie', 'lina'],
} as const;

/**
 * Configuration defaults of development mode: without WECOM_* and PAIRVIEW_ADMINS, the demo admin. A real
 * company's admins are always configured.
 */
export function withDevelopmentDefaults(config: Config): Config {
  if (config.wecom || config.admins.size > 0) return config;
  return { ...config, admins: new Set([DEMO_PEOPLE.adminRecruiter]) };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** Pairview's callback endpoint: where WeCom (here the emulator) posts events. */
export function callbackUrl(publicUrl: URL): string {
  return new URL('/wecom/callback', publicUrl).toString();
}

export interface DevelopmentWeCom {
  emulator: Emulator;
  /** The demo app as Pairview sees it, with this start's callback Token and EncodingAESKey. */
  app: WeComAppConfig;
}

export async function startDevelopmentEmulator(config: Config, options: { port: number; host?: string }): Promise<DevelopmentWeCom> {
  // §6.1: Token is 1–32 letters or digits; EncodingAESKey is 43 letters or digits.
  const callbackToken = randomAlphanumeric(32);
  const encodingAesKey = randomAlphanumeric(43);
  const emulator = await startEmulator({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    // The console's "Open Pairview" goes where the app's icon in WeCom would: Pairview's own address (PORT included).
    app: { name: DEMO.appName, trustedDomains: [config.publicUrl.host], homeUrl: config.publicUrl.toString() },
    callback: { url: callbackUrl(config.publicUrl), token: callbackToken, encodingAESKey: encodingAesKey },
  });
  return {
    emulator,
    app: { corpId: emulator.corpId, agentId: emulator.agentId, secret: emulator.secret, callbackToken, encodingAesKey },
  };
}

/**
 * The emulator CLI's demo app (packages/wecom-emulator README, "The demo company"), as Pairview's WeCom app config
 * for the delivery benchmark. The callback settings are placeholders: the benchmark receives no callbacks.
 */
import type { WeComAppConfig } from '../src/config.ts';

export const DEMO_APP: WeComAppConfig = {
  corpId: 'wwpairviewdemo0001',
  agentId: 1000002,
  secret: 'pairview-demo-app-secret-0000000000000000001',
  callbackToken: 'benchtoken',
  encodingAesKey: 'a'.repeat(43),
};

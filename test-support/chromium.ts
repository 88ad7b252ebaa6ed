import { execFileSync } from 'node:child_process';

/**
 * Debian's Chromium for browser tests (never a downloaded browser; .ci/run installs the package). The flags keep it
 * headless as root and stop it from reaching for Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium is not installed: run `apt-get update && apt-get install -y chromium` (CI installs it too)');
  }
}

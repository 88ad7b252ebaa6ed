import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const webRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Builds the web app as `npm run build` does, into a fresh temporary folder, and returns that folder. NODE_ENV is
 * production for the build: vitest sets it to test, which would bundle React's development build.
 */
export async function buildWebAppForTest(prefix: string): Promise<string> {
  const distDir = mkdtempSync(join(tmpdir(), prefix));
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: webRoot, mode: 'production', logLevel: 'warn', build: { outDir: distDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return distDir;
}

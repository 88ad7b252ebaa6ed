import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const SOURCES = ['apps/server/src', 'apps/web/src', 'apps/runner/src', 'packages/wecom/src', 'packages/wecom-emulator/src'];

// Issue 12: no module imports another that imports it back, type-only imports included (.dependency-cruiser.cjs).
it('no import cycles in the sources (dependency-cruiser)', { timeout: 120_000 }, async () => {
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      `${root}node_modules/.bin/depcruise`,
      ['--validate', '.dependency-cruiser.cjs', '--output-type', 'err', ...SOURCES],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  expect(output, output).not.toMatch(/no-circular/);
  expect(code, output).toBe(0);
  // It did read the sources (swc: TypeScript 7 has no compiler API for it yet).
  expect(output).toMatch(/(\d{3,}) modules/);
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { checkNode, minimumFromEngines } = require('./check-node.cjs') as {
  checkNode(version: string, range: string): string | null;
  minimumFromEngines(range: string): [number, number, number];
};
const root = new URL('../', import.meta.url);
const engines = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } }).engines.node;

describe('the Node.js preflight of npm start and npm test', () => {
  it('refuses a Node older than engines.node with what to do, and lets newer ones through', () => {
    expect(minimumFromEngines(engines)).toEqual([22, 18, 0]);
    const problem = checkNode('20.20.2', engines);
    expect(problem).toContain('needs Node.js 22.18.0 or newer');
    expect(problem).toContain('this is Node 20.20.2');
    expect(problem).toContain('nvm install');
    expect(checkNode('22.17.9', engines)).not.toBeNull();
    for (const ok of ['22.18.0', '22.19.1', '24.0.0', 'v26.1.0']) expect(checkNode(ok, engines)).toBeNull();
  });

  it('.nvmrc and .node-version name a Node that engines.node allows', () => {
    for (const file of ['.nvmrc', '.node-version']) {
      const major = readFileSync(new URL(file, root), 'utf8').trim();
      expect(checkNode(`${major}.0.0`, engines)).toBeNull();
    }
    expect(readFileSync(new URL('.npmrc', root), 'utf8')).toMatch(/^engine-strict=true$/m);
  });

  it('a clean install runs no dependency install script unreviewed (package.json allowScripts)', () => {
    const listed = execFileSync('npm', ['install-scripts', 'ls'], { cwd: root, encoding: 'utf8' });
    expect(listed).not.toMatch(/not yet covered/);
  });

  // The machine's own Node (Debian's /usr/bin/node) is older than 22 here: the script must run on it and refuse.
  const oldNode = '/usr/bin/node';
  const oldVersion = existsSync(oldNode) ? execFileSync(oldNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim() : undefined;
  it.skipIf(!oldVersion || checkNode(oldVersion, engines) === null)(`runs on an old Node (${oldVersion ?? 'none here'}) and exits 1 with the message`, () => {
    const result = spawnSync(oldNode, [new URL('scripts/check-node.cjs', root).pathname], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`this is Node ${oldVersion}`);
  });
});

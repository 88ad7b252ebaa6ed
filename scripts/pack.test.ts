/**
 * The packed tarballs work where the repository's sources cannot: installed under `node_modules` of a fresh
 * project and run by plain `node`, which refuses to strip types there (docs/decisions/0003). Packs with
 * scripts/pack.ts, installs both tarballs with npm, then runs the CLI, imports the SDK, and drives the installed
 * emulator through the installed SDK.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'pairview-pack-test-'));
const project = path.join(work, 'project');

function node(args: string[]) {
  return run(process.execPath, args, { cwd: project, encoding: 'utf8' });
}

beforeAll(async () => {
  const out = path.join(work, 'out');
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts/pack.ts'), '--out', out], { cwd: root, encoding: 'utf8' });
  const tarballs = stdout.trim().split('\n');
  expect(tarballs.map((t) => path.basename(t))).toEqual(['pairview-wecom-0.1.0.tgz', 'pairview-wecom-emulator-0.1.0.tgz']);

  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'pack-consumer', private: true, type: 'module' }));
  // Both at once: the emulator depends on @pairview/wecom, which is not on the registry, so npm must take it from
  // the tarball beside it.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: project, encoding: 'utf8' });
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed packages, installed from their tarballs', () => {
  it('runs the wecom CLI from node_modules/.bin', async () => {
    const { stdout } = await run(path.join(project, 'node_modules/.bin/wecom'), ['--help'], { cwd: project, encoding: 'utf8' });
    expect(stdout).toMatch(/wecom/);
  });

  it('ships JavaScript, not the TypeScript sources', async () => {
    const { stdout } = await node([
      '-e',
      `import('@pairview/wecom').then((m) => console.log(JSON.stringify({
         client: typeof m.WeComClient, handler: typeof m.createCallbackHandler,
         entry: import.meta.resolve('@pairview/wecom'),
       })))`,
    ]);
    const result = JSON.parse(stdout) as { client: string; handler: string; entry: string };
    expect(result).toMatchObject({ client: 'function', handler: 'function' });
    expect(result.entry).toMatch(/node_modules\/@pairview\/wecom\/src\/index\.js$/);
  });

  it('ships declarations whose relative imports name .js files, as any TypeScript consumer resolves them', () => {
    for (const pkg of ['wecom', 'wecom-emulator']) {
      const dir = path.join(project, 'node_modules/@pairview', pkg, 'src');
      const declarations = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
      expect(declarations.length).toBeGreaterThan(10);
      for (const file of declarations) {
        expect(readFileSync(path.join(dir, file), 'utf8'), `${pkg}/src/${file}`).not.toMatch(/(?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]+\.ts['"]/);
      }
    }
  });

  it('starts the installed emulator and talks to it with the installed SDK (gettoken, message/send)', async () => {
    const script = `
      import { startEmulator } from '@pairview/wecom-emulator';
      import { WeComClient, text } from '@pairview/wecom';
      const emu = await startEmulator({ port: 0 });
      try {
        const env = { WECOM_CORP_ID: emu.corpId, WECOM_AGENT_ID: String(emu.agentId), WECOM_SECRET: emu.secret, WECOM_API_BASE: emu.url };
        const client = WeComClient.fromEnv(env, { dotenv: false });
        const sent = await client.message.send({ toUser: ['zhangwei'] }, text('packed hello'));
        await client.close();
        console.log(JSON.stringify({
          msgid: sent.msgid,
          paths: emu.control.calls().map((c) => c.path + ':' + c.errcode),
          inbox: emu.control.messages({ userid: 'zhangwei' }).map((m) => m.msgid),
        }));
      } finally {
        await emu.close();
      }
    `;
    writeFileSync(path.join(project, 'drive.mjs'), script);
    const { stdout } = await node(['drive.mjs']);
    const result = JSON.parse(stdout) as { msgid: string; paths: string[]; inbox: string[] };
    expect(result.paths).toEqual(['/cgi-bin/gettoken:0', '/cgi-bin/message/send:0']);
    expect(result.inbox).toEqual([result.msgid]);
  });
});

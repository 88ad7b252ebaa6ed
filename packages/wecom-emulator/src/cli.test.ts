import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, parseCliArgs } from './cli.ts';
import { DEMO } from './config.ts';

function io() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    out: () => stdout,
    err: () => stderr,
  };
}

describe('wecom-emulator CLI', () => {
  it('parses every flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-emu-'));
    const file = join(dir, 'directory.json');
    writeFileSync(file, JSON.stringify({ departments: [{ id: 1, name: 'Root', parentid: 0 }], users: [{ userid: 'a', name: 'A', department: [1] }] }));
    const options = parseCliArgs([
      '--port', '4200', '--host', '0.0.0.0', '--corp-id', 'ww123', '--agent-id', '1000005', '--secret', 's3cret',
      '--callback-url', 'http://127.0.0.1:3000/wecom/callback', '--callback-token', 'Tok123',
      '--encoding-aes-key', 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', '--directory', file, '--token-ttl', '60',
    ]);
    expect(options).toMatchObject({
      port: 4200,
      host: '0.0.0.0',
      corpId: 'ww123',
      agentId: 1000005,
      secret: 's3cret',
      tokenTtlSeconds: 60,
      callback: { url: 'http://127.0.0.1:3000/wecom/callback', token: 'Tok123', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' },
      directory: { users: [{ userid: 'a' }] },
    });
  });

  it('exits 2 with a clear message for bad flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--port', 'abc'], /--port must be an integer from 0 to 65535/],
      [['--agent-id', '-1'], /--agent-id/],
      [['--token-ttl', '0'], /--token-ttl must be an integer from 1/],
      [['--callback-url', 'http://x'], /go together/],
      [['--directory', '/nonexistent/file.json'], /cannot read it as JSON/],
      [['--callback-url', 'http://x', '--callback-token', 'T', '--encoding-aes-key', 'short', '--port', '0'], /encodingAESKey must be exactly 43/],
    ];
    for (const [argv, pattern] of cases) {
      const { io: streams, err } = io();
      expect(await main(argv, streams)).toBe(2);
      expect(err()).toMatch(pattern);
    }
  });

  it('refuses an invalid directory file, naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-emu-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ departments: [{ id: 2, name: 'No root', parentid: 0 }], users: [] }));
    const { io: streams, err } = io();
    expect(await main(['--directory', file], streams)).toBe(2);
    expect(err()).toMatch(/root department \(id 1, parentid 0\) is missing/);
  });

  it('starts the demo company and prints corp id, agent id, secret and console URL', async () => {
    const { io: streams, out } = io();
    const emu = await main(['--port', '0'], streams);
    if (typeof emu === 'number') throw new Error(`exit ${emu}`);
    try {
      expect(out()).toContain(DEMO.corpId);
      expect(out()).toContain(String(DEMO.agentId));
      expect(out()).toContain(DEMO.secret);
      expect(out()).toContain(`${emu.url}/console/`);
      const token = (await (await fetch(`${emu.url}/cgi-bin/gettoken?corpid=${DEMO.corpId}&corpsecret=${DEMO.secret}`)).json()) as { errcode: number };
      expect(token.errcode).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it('--help prints usage and exits 0', async () => {
    const { io: streams, out } = io();
    expect(await main(['--help'], streams)).toBe(0);
    expect(out()).toContain('--encoding-aes-key');
  });
});

/**
 * The `wecom` CLI as a child process against the emulator: the contract's command forms, exit codes 0/1/2/3,
 * output as JSON, no secret or token printed, and one gettoken for many processes sharing DATABASE_URL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/postgres.ts';
import { fill, sendExamples } from './protocol-examples.ts';
import { runCli, type CliResult } from './cli-helpers.ts';
import { addressed, useEmulator } from './setup.ts';

const h = useEmulator();
let dir: string;
let db: TestDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wecom-cli-'));
  db = await createTestDatabase('wecom_cli');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    WECOM_CORP_ID: h.emu.corpId,
    WECOM_AGENT_ID: String(h.emu.agentId),
    WECOM_SECRET: h.emu.secret,
    WECOM_API_BASE: h.emu.url,
    WECOM_MAX_RETRIES: '0',
    ...extra,
  };
}

function json(result: CliResult): any {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

function neverShowsSecrets(result: CliResult, ...secrets: string[]): void {
  for (const secret of [h.emu.secret, ...secrets]) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

describe('wecom send', () => {
  it('send text --to u1,u2 --party --tag "content" prints the result', async () => {
    const r = await runCli(['send', 'text', '--to', 'zhangwei,NoSuchUser', '--party', '5', '--tag', '1', '下午三点面试 interview at 3pm'], { env: env() });
    const result = json(r);
    expect(result).toEqual({ msgid: expect.any(String), invalidUsers: ['nosuchuser'], invalidParties: [], invalidTags: [], unlicensedUsers: [] });
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]).toMatchObject({ msgid: result.msgid, content: { content: '下午三点面试 interview at 3pm' } });
    expect(h.emu.control.messages({ userid: 'wuxia' })[0]?.msgid).toBe(result.msgid);
    expect(h.emu.control.messages({ userid: 'daniel' })[0]?.msgid).toBe(result.msgid);
    neverShowsSecrets(r);
  });

  it('send markdown --to', async () => {
    const { msgid } = json(await runCli(['send', 'markdown', '--to', 'lina', '**bold** <font color="info">ok</font>'], { env: env() }));
    expect(h.emu.control.messages({ userid: 'lina' })[0]).toMatchObject({ msgid, msgtype: 'markdown' });
  });

  it('send --json message.json takes a documented body and fills in agentid', async () => {
    const file = join(dir, 'textcard.json');
    await writeFile(file, JSON.stringify(fill(addressed(sendExamples.textcard, { touser: 'zhangwei' }), { mediaId: 'unused' })));
    const { msgid } = json(await runCli(['send', '--json', file], { env: env() }));
    const [call] = h.emu.control.calls({ path: '/cgi-bin/message/send' });
    expect(call!.body).toMatchObject({ touser: 'zhangwei', msgtype: 'textcard', agentid: h.emu.agentId });
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]).toMatchObject({ msgid, msgtype: 'textcard' });
  });

  it('send --json - reads stdin; a template card gets its responseCode back', async () => {
    const body = addressed(sendExamples.button_interaction, { touser: 'zhangwei' });
    const result = json(await runCli(['send', '--json', '-', '--duplicate-check'], { env: env(), stdin: JSON.stringify(body) }));
    expect(result.responseCode).toEqual(expect.any(String));
    expect(h.emu.control.calls({ path: '/cgi-bin/message/send' })[0]!.body).toMatchObject({ enable_duplicate_check: 1 });
  });

  it('exits 2 with every problem when the message breaks WeCom\'s limits, sending nothing', async () => {
    const r = await runCli(['send', 'text', '--to', 'zhangwei', 'x'.repeat(2049)], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('text.content is 2049 bytes; WeCom allows 2048 bytes (UTF-8)');
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ touser: 'zhangwei', msgtype: 'text', text: { content: 'hi' }, agentid: 7 }));
    const bad = await runCli(['send', '--json', file], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`agentid is 7 but the configured app is ${h.emu.agentId}`);
    expect(h.emu.control.calls({ path: '/cgi-bin/message/send' })).toEqual([]);
  });

  it('exits 2 on bad usage: no recipients, unknown msgtype, unreadable JSON', async () => {
    const cases: [string[], string][] = [
      [['send', 'text', 'hello'], 'send needs recipients: --to, --party and/or --tag'],
      [['send', 'image', '--to', 'zhangwei', 'x'], 'cannot send "image" from flags'],
      [['send', '--json', join(dir, 'missing.json')], 'cannot read'],
      [['send', 'text', '--to', 'a', 'two', 'words'], 'takes one content argument; quote the whole text'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

describe('wecom recall, user, department, jssdk', () => {
  it('recall MSGID', async () => {
    const { msgid } = json(await runCli(['send', 'text', '--to', 'zhangwei', 'oops'], { env: env() }));
    expect(json(await runCli(['recall', msgid], { env: env() }))).toEqual({ recalled: msgid });
    expect(h.emu.control.messages({ userid: 'zhangwei' })[0]!.status).toBe('recalled');
  });

  it('user get USERID, user list --department ID, department list', async () => {
    expect(json(await runCli(['user', 'get', 'zhangwei'], { env: env() }))).toMatchObject({ userid: 'zhangwei', department: [2] });
    const users = json(await runCli(['user', 'list', '--department', '3'], { env: env() }));
    expect(users.map((u: { userid: string }) => u.userid).sort()).toEqual(['lina', 'linxiao', 'liuyang', 'wangfang']);
    const simple = json(await runCli(['user', 'list', '--department', '3', '--simple'], { env: env() }));
    expect(Object.keys(simple[0]).sort()).toEqual(['department', 'name', 'userid']);
    const departments = json(await runCli(['department', 'list'], { env: env() }));
    expect(departments.find((d: { id: number }) => d.id === 1)).toMatchObject({ name: '派维科技' });
  });

  it('jssdk sign --url [--agent]', async () => {
    const config = json(await runCli(['jssdk', 'sign', '--url', 'https://pairview.example/room/1#x'], { env: env() }));
    expect(config).toEqual({ appId: h.emu.corpId, timestamp: expect.any(Number), nonceStr: expect.any(String), signature: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const agent = json(await runCli(['jssdk', 'sign', '--url', 'https://pairview.example/', '--agent'], { env: env() }));
    expect(agent).toMatchObject({ corpid: h.emu.corpId, agentid: h.emu.agentId });
  });

  it('exits 1 with "errcode N: text" on stderr when WeCom answers an error', async () => {
    const r = await runCli(['user', 'get', 'nobody'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^errcode 60111: /);
  });

  it('exits 1 on a wrong secret and never prints it', async () => {
    const wrong = 'not-the-secret-0123456789';
    const r = await runCli(['department', 'list'], { env: env({ WECOM_SECRET: wrong }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^errcode 40001: /);
    neverShowsSecrets(r, wrong);
  });

  it('exits 3 when WeCom cannot be reached', async () => {
    const closed = await closedPort();
    const r = await runCli(['department', 'list'], { env: env({ WECOM_API_BASE: `http://127.0.0.1:${closed}` }) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('network failure');
  });

  it('exits 2 naming a missing or malformed variable', async () => {
    const { WECOM_SECRET: _s, ...withoutSecret } = env();
    const r = await runCli(['department', 'list'], { env: withoutSecret });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WECOM_SECRET');
    const bad = await runCli(['department', 'list'], { env: env({ WECOM_AGENT_ID: 'abc' }) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('WECOM_AGENT_ID');
  });

  it('reads ./.env, with variables already set winning', async () => {
    const project = await mkdtemp(join(dir, 'project-'));
    await writeFile(join(project, '.env'), `WECOM_CORP_ID=${h.emu.corpId}\nWECOM_AGENT_ID=${h.emu.agentId}\nWECOM_SECRET=${h.emu.secret}\nWECOM_API_BASE=http://127.0.0.1:1\n`);
    const r = await runCli(['user', 'get', 'lina'], { cwd: project, env: { WECOM_API_BASE: h.emu.url } });
    expect(json(r)).toMatchObject({ userid: 'lina' });
  });
});

describe('DATABASE_URL: many CLI processes share one token', () => {
  it('8 processes at once make exactly one gettoken, and the token never reaches their output', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => runCli(['user', 'get', 'zhangwei'], { env: env({ DATABASE_URL: db.url }) })));
    for (const r of results) expect(json(r)).toMatchObject({ userid: 'zhangwei' });
    expect(h.emu.control.calls({ path: '/cgi-bin/gettoken' })).toHaveLength(1);
    expect(h.emu.control.calls({ path: '/cgi-bin/user/get' })).toHaveLength(8);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ value: string }>(`SELECT value FROM wecom_credentials WHERE kind = 'access_token'`);
      expect(rows).toHaveLength(1);
      for (const r of results) neverShowsSecrets(r, rows[0]!.value);
    } finally {
      await client.end();
    }

    // Later processes reuse the stored token: no second gettoken.
    json(await runCli(['department', 'list'], { env: env({ DATABASE_URL: db.url }) }));
    expect(h.emu.control.calls({ path: '/cgi-bin/gettoken' })).toHaveLength(1);
  });
});

/** A port nothing listens on: bind an ephemeral one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The package README's examples, run against the emulator, so the README stays accurate to the code: quick start,
 * an interactive card and its update, the callback router behind node:http (the emulator delivers the callbacks),
 * OAuth sign-in, the PostgreSQL token store with refreshIfDue, and events.
 */
import http from 'node:http';
import { startEmulator, type Emulator } from '@pairview/wecom-emulator';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test-support/postgres.ts';
import { createCallbackHandler, createNodeMiddleware, templateCard, text, WeComClient } from '../../src/index.ts';

const token = 'ReadmeToken1';
const encodingAESKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, ...options });
  cleanup.push(() => emu.close());
  return emu;
}

function envFor(emu: Emulator): Record<string, string> {
  return { WECOM_CORP_ID: emu.corpId, WECOM_AGENT_ID: String(emu.agentId), WECOM_SECRET: emu.secret, WECOM_API_BASE: emu.url };
}

describe('README examples', () => {
  it('quick start', async () => {
    const emu = await emulator();
    const client = WeComClient.fromEnv(envFor(emu), { dotenv: false });
    const result = await client.message.send({ toUser: ['zhangwei', 'lina'] }, text('Your interview starts at 15:00'));
    expect(result).toEqual({ msgid: expect.any(String), invalidUsers: [], invalidParties: [], invalidTags: [], unlicensedUsers: [] });
    await client.close();
  });

  it('send an interactive card, then update it', async () => {
    const emu = await emulator();
    const client = WeComClient.fromEnv(envFor(emu), { dotenv: false });
    const card = templateCard.buttonInteraction({
      task_id: 'interview-42-feedback',
      main_title: { title: 'Feedback for Li Na', desc: 'Backend interview, 15:00' },
      button_list: [
        { text: 'Hire', style: 1, key: 'hire:42' },
        { text: 'No hire', style: 2, key: 'nohire:42' },
      ],
    });
    const { msgid, responseCode } = await client.message.send({ toUser: ['zhangwei'] }, card, { enableDuplicateCheck: true });
    await client.message.updateTemplateCard({ userids: ['zhangwei'], responseCode: responseCode!, button: { replaceName: 'Submitted' } });
    expect(emu.control.messages({ userid: 'zhangwei' })[0]).toMatchObject({ msgid, card: { replaceName: 'Submitted' } });
  });

  it('handle callbacks with the router (node:http), delivered by the emulator', async () => {
    const jobs: unknown[] = [];
    const agendaFor = (userid: string) => `${userid}: interview at 15:00`;
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    cleanup.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const emu = await emulator({ callback: { url: `http://127.0.0.1:${port}/wecom/callback`, token, encodingAESKey } });

    const errors: string[] = [];
    const callbacks = createCallbackHandler({ token, encodingAESKey, corpId: emu.corpId, onError: (error) => void errors.push(error.message) });
    callbacks.on('text', /^today$/i, (e) => ({ type: 'text', content: agendaFor(e.fromUserName) }));
    callbacks.on('template_card_event', /^hire:/, async (e) => {
      e.ack();
      jobs.push({ key: e.eventKey, responseCode: e.responseCode, jobKey: e.dedupeKey });
    });
    const middleware = createNodeMiddleware(callbacks, { path: '/wecom/callback' });
    server.on('request', (req, res) => void middleware(req, res));

    const reply = await emu.control.sendCallback({ type: 'text', fromUserName: 'zhangwei', content: 'Today' });
    expect(reply).toMatchObject({ status: 'delivered', reply: { type: 'text', content: 'zhangwei: interview at 15:00' } });

    const click = await emu.control.sendCallback({ type: 'template_card_event', fromUserName: 'zhangwei', eventKey: 'hire:42', taskId: 'interview-42-feedback', cardType: 'button_interaction', responseCode: 'rc-1' });
    expect(click.status).toBe('delivered');
    expect(jobs).toEqual([{ key: 'hire:42', responseCode: 'rc-1', jobKey: expect.any(String) }]);
    expect(errors).toEqual([]);
  });

  it('OAuth sign-in', async () => {
    const emu = await emulator();
    const client = new WeComClient({ corpId: emu.corpId, agentId: emu.agentId, secret: emu.secret, baseUrl: emu.url, oauthBaseUrl: emu.url });
    const state = client.oauth.createState();
    const url = client.oauth.authorizeUrl({ redirectUri: 'https://app.example/auth/wecom', state });
    const page = url.slice(0, url.indexOf('#'));
    const back = new URL((await fetch(page, { method: 'POST', body: new URLSearchParams({ userid: 'lina' }), redirect: 'manual' })).headers.get('location')!);
    expect(back.searchParams.get('state')).toBe(state);
    const who = await client.oauth.getUserInfo(back.searchParams.get('code')!);
    expect(who).toEqual({ kind: 'member', userId: 'lina' });
  });

  it('one token for a cluster (PostgreSQL), refreshIfDue, and events', async () => {
    const emu = await emulator();
    const db = await createTestDatabase('wecom_readme');
    cleanup.push(() => db.drop());
    const options = { corpId: emu.corpId, agentId: emu.agentId, secret: emu.secret, baseUrl: emu.url, databaseUrl: db.url };
    const a = new WeComClient(options);
    const b = new WeComClient(options);
    cleanup.push(async () => (await a.close(), await b.close()));
    const refreshes: string[] = [];
    a.on('token:refresh', (e) => void refreshes.push(e.reason));
    b.on('token:refresh', (e) => void refreshes.push(e.reason));

    await Promise.all([a.contacts.getUser('zhangwei'), b.contacts.getUser('lina')]);
    expect(emu.control.calls({ path: '/cgi-bin/gettoken' })).toHaveLength(1);
    expect(refreshes).toEqual(['missing']);
    expect(await a.tokens.refreshIfDue({ tickets: true })).toEqual({ access_token: false, jsapi_ticket: true, agent_config_ticket: true });
    expect(await b.tokens.refreshIfDue({ tickets: true })).toEqual({ access_token: false, jsapi_ticket: false, agent_config_ticket: false });
  });

  it('quotas for a cluster: priorities, maxWaitMs, and the daily quota in PostgreSQL', async () => {
    const emu = await emulator({ limits: { seatLimit: 1 } });
    const db = await createTestDatabase('wecom_readme_quota');
    cleanup.push(() => db.drop());
    const client = new WeComClient({ corpId: emu.corpId, agentId: emu.agentId, secret: emu.secret, baseUrl: emu.url, databaseUrl: db.url, seatLimit: 1 });
    cleanup.push(() => client.close());
    await client.message.send({ toUser: ['zhangwei'] }, text('Your interview starts in 15 minutes'), { priority: 'urgent', maxWaitMs: 3_000 });
    const members = emu.state.directory.toJSON().users.map((u) => u.userid).slice(0, 20);
    // 200 person-times a day: bulk sends stop at 160, so the 9th send to 20 members waits for tomorrow.
    const sent: unknown[] = [];
    for (let i = 0; i < 9; i++) sent.push(await client.message.send({ toUser: members }, text(`digest ${i}`), { priority: 'bulk', maxWaitMs: 0 }).catch((e: unknown) => e));
    expect(sent.slice(0, 7).every((r) => typeof (r as { msgid?: string }).msgid === 'string')).toBe(true);
    expect(sent.slice(7)).toEqual([expect.objectContaining({ name: 'RateLimitWaitError' }), expect.objectContaining({ name: 'RateLimitWaitError' })]);
    expect(emu.control.stats().errcodes['45009']).toBeUndefined();
  });
});

/**
 * The inbound glue end to end: the emulator delivers signed, encrypted callbacks to a Pairview app listening on
 * port 0 (or the test injects SDK-signed ones), and the handle_wecom_callback jobs run in the real graphile-worker.
 */
import { templateCard } from '@pairview/wecom';
import { parseCallbackXml, serializeCallbackXml } from '@pairview/wecom/callback';
import { signCallback } from '@pairview/wecom/testing';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queuedJobs } from '../../../test/helpers.ts';
import type { MemberPrincipal } from '../../auth/principal.ts';
import { createInterview } from '../../interviews/service.ts';
import { HANDLE_CALLBACK_TASK, logInboundCallback } from '../callback-log.ts';
import { runDirectorySync } from '../directory/sync.ts';
import { handleCallback } from './handle.ts';
import { createCallbackPlugin, type CallbackPlugin } from './plugin.ts';
import { startGlueHarness, type GlueHarness } from './test-harness.ts';

describe('WeCom callbacks → Pairview', () => {
  let h: GlueHarness;
  let plugin: CallbackPlugin;
  let app: FastifyInstance;

  beforeAll(async () => {
    h = await startGlueHarness('pv_inbound');
    plugin = createCallbackPlugin(h.deps);
    app = await h.serve([plugin]);
    await runDirectorySync(h.deps); // the emulator's demo company
    await h.database.db.updateTable('people').set({ roles: ['recruiter'] }).where('wecom_userid', '=', 'sunli').execute();
    await h.database.db.updateTable('people').set({ roles: ['hiring_manager'] }).where('wecom_userid', '=', 'zhangwei').execute();
  });
  afterAll(async () => {
    await plugin?.idle();
    await h?.close();
  });

  const db = () => h.database.db;
  const person = (userid: string) => db().selectFrom('people').selectAll().where('wecom_userid', '=', userid).executeTakeFirstOrThrow();
  const outboxFor = async (kind: string, userid: string) => {
    const { id } = await person(userid);
    return db().selectFrom('outbox').selectAll().where('kind', '=', kind).where(sql<boolean>`recipient_ids @> array[${id}]::uuid[]`).orderBy('created_at').execute();
  };
  const callbackRows = () => db().selectFrom('inbound_callbacks').selectAll().orderBy('received_at').execute();
  const credentials = () => ({ token: h.deps.client.config.callbackToken!, encodingAESKey: h.deps.client.config.encodingAESKey!, corpId: h.emu.corpId });
  const textEvent = (fromUserName: string, content: string, msgId: string) => ({
    type: 'text' as const,
    toUserName: h.emu.corpId,
    fromUserName,
    createTime: Math.floor(Date.now() / 1000),
    msgId,
    agentId: h.emu.agentId,
    content,
  });
  const post = (signed: { search: string; body: string }) =>
    app.inject({ method: 'POST', url: `/wecom/callback?${signed.search}`, payload: signed.body, headers: { 'content-type': 'text/xml' } });

  describe('the endpoint', () => {
    it('passes the emulator\'s URL verification (GET, §6.2) and is public in the route list', async () => {
      const response = await fetch(`${h.emu.url}/_emulator/callbacks/verify`, { method: 'POST' });
      expect(await response.json()).toMatchObject({ status: 'passed', httpStatus: 200 });
      const { routeList } = await import('../../app.ts');
      expect(routeList(app).filter((r) => r.url === '/wecom/callback')).toEqual([
        expect.objectContaining({ method: expect.stringContaining('POST'), policy: 'public' }),
      ]);
    });

    it('refuses a forged callback (wrong Token, tampered body) with 401: nothing logged, no job', async () => {
      const rowsBefore = (await callbackRows()).length;
      const jobsBefore = (await queuedJobs(db(), HANDLE_CALLBACK_TASK)).length;
      const forged = signCallback({ ...credentials(), token: 'NotTheCallbackToken', event: textEvent('lina', 'today', '7000000000000000001') });
      expect((await post(forged)).statusCode).toBe(401);
      const genuine = signCallback({ ...credentials(), event: textEvent('lina', 'today', '7000000000000000002') });
      const tampered = { search: genuine.search, body: genuine.body.replace(/<Encrypt><!\[CDATA\[(.)/, (_m, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`) };
      expect((await post(tampered)).statusCode).toBe(401);
      expect((await post({ search: '', body: genuine.body })).statusCode).toBe(400);
      expect((await callbackRows()).length).toBe(rowsBefore);
      expect((await queuedJobs(db(), HANDLE_CALLBACK_TASK)).length).toBe(jobsBefore);
      expect(h.warnings.some((w) => w.includes('signature'))).toBe(true);
      expect(h.warnings.join('\n')).not.toContain(credentials().token);
    });

    it('acknowledges at once with an empty 200, logs the callback and leaves the work to the job', async () => {
      const signed = signCallback({ ...credentials(), event: textEvent('lina', 'help', '7000000000000000003') });
      const response = await post(signed);
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
      const row = (await callbackRows()).find((r) => (r.raw as { MsgId?: string }).MsgId === '7000000000000000003')!;
      expect(row).toMatchObject({ event_type: 'text', handled_at: null });
      expect(await queuedJobs(db(), HANDLE_CALLBACK_TASK)).toContainEqual(expect.objectContaining({ payload: { callbackId: row.id } }));
      await h.runJobs();
      expect((await db().selectFrom('inbound_callbacks').select('handled_at').where('id', '=', row.id).executeTakeFirstOrThrow()).handled_at).not.toBeNull();
    });

    it('handles a duplicate delivery once (signed retry, and the emulator sending the same message twice)', async () => {
      const before = (await outboxFor('bot_reply', 'chenjie')).length;
      const signed = signCallback({ ...credentials(), event: textEvent('chenjie', 'today', '7000000000000000004') });
      expect((await post(signed)).statusCode).toBe(200);
      expect((await post(signed)).statusCode).toBe(200); // WeCom's retry: same MsgId
      const sameMessage = { type: 'text' as const, fromUserName: 'chenjie', content: 'week', msgId: '7000000000000000005' };
      expect((await h.emu.control.sendCallback(sameMessage)).status).toBe('delivered');
      expect((await h.emu.control.sendCallback(sameMessage)).status).toBe('delivered');
      await h.runJobs();
      const rows = (await callbackRows()).filter((r) => ['7000000000000000004', '7000000000000000005'].includes((r.raw as { MsgId?: string }).MsgId ?? ''));
      expect(rows).toHaveLength(2);
      const replies = (await outboxFor('bot_reply', 'chenjie')).slice(before);
      expect(replies.map((r) => (r.payload as { command: string }).command)).toEqual(['today', 'week']);
    });

    it('logs concurrent deliveries once each with one job, retries racing their first delivery included', async () => {
      const rowsBefore = (await callbackRows()).length;
      const jobsBefore = (await queuedJobs(db(), HANDLE_CALLBACK_TASK)).length;
      const msgIds = Array.from({ length: 30 }, (_, i) => String(7100000000000000000n + BigInt(i)));
      // A retry is encrypted and signed anew, with the same MsgId.
      const deliveries = [...msgIds, ...msgIds.slice(0, 10)].map((msgId) => signCallback({ ...credentials(), event: textEvent('lina', 'help', msgId) }));
      const responses = await Promise.all(deliveries.map(post));
      expect(responses.map((r) => r.statusCode)).toEqual(deliveries.map(() => 200));
      const rows = (await callbackRows()).slice(rowsBefore);
      expect(rows.map((r) => (r.raw as { MsgId: string }).MsgId).sort()).toEqual([...msgIds].sort());
      const jobs = (await queuedJobs(db(), HANDLE_CALLBACK_TASK)).slice(jobsBefore);
      expect(jobs.map((j) => j.payload.callbackId).sort()).toEqual(rows.map((r) => r.id).sort());
    });
  });

  describe('bot commands and welcome', () => {
    it('answers each command, in English or Chinese, and anything else with the unknown reply', async () => {
      const cases = [
        ['today', 'today'],
        ['今天', 'today'],
        [' WEEK ', 'week'],
        ['本周', 'week'],
        ['pending', 'pending'],
        ['待面评', 'pending'],
        ['Help', 'help'],
        ['帮助', 'help'],
        ['what can you do?', 'unknown'],
      ] as const;
      const wangfang = await person('wangfang');
      for (const [content] of cases) expect((await h.emu.control.sendCallback({ type: 'text', fromUserName: 'wangfang', content })).status).toBe('delivered');
      await h.runJobs();
      const replies = await outboxFor('bot_reply', 'wangfang');
      expect(replies.map((r) => (r.payload as { command: string }).command)).toEqual(cases.map(([, command]) => command));
      for (const reply of replies) expect(reply.recipient_ids).toEqual([wangfang.id]);
      // Each is on its way through the delivery pipeline (H8 renders it).
      const deliveries = (await queuedJobs(db(), 'deliver_notification')).map((j) => j.payload.outboxId);
      for (const reply of replies) expect(deliveries).toContain(reply.id);
    });

    it('ignores a message from someone not in Pairview\'s directory, and says so on the log row', async () => {
      await h.emu.control.sendCallback({ type: 'text', fromUserName: 'linxiao', content: 'today' }); // not activated: inactive
      await h.runJobs();
      const row = (await callbackRows()).findLast((r) => (r.raw as { FromUserName?: string }).FromUserName === 'linxiao')!;
      expect(row.handled_at).not.toBeNull();
      expect(row.error).toContain('not an active member');
      expect(await outboxFor('bot_reply', 'linxiao')).toEqual([]);
    });

    it('welcomes a member on their first enter_agent only', async () => {
      const now = Math.floor(Date.now() / 1000);
      await h.emu.control.sendCallback({ type: 'enter_agent', fromUserName: 'liuyang', eventKey: '', createTime: now });
      await h.runJobs();
      await h.emu.control.sendCallback({ type: 'enter_agent', fromUserName: 'liuyang', eventKey: '', createTime: now + 60 });
      await h.runJobs();
      expect(await outboxFor('welcome', 'liuyang')).toHaveLength(1);
      expect((await person('liuyang')).bot_welcomed_at).not.toBeNull();
      const rows = (await callbackRows()).filter((r) => r.event_type === 'event:enter_agent' && (r.raw as { FromUserName?: string }).FromUserName === 'liuyang');
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.handled_at !== null)).toBe(true);
    });

    it('never handles a callback twice, even when two handlers race for it', async () => {
      const { id } = await logInboundCallback(
        h.database.pool,
        { dedupeKey: 'race:text:1', eventType: 'text', raw: parseCallbackXml(serializeCallbackXml(textEvent('guojun', 'pending', '7000000000000000006'))) },
        h.deps.clock,
      );
      const results = await Promise.all([handleCallback(h.deps, id), handleCallback(h.deps, id), handleCallback(h.deps, id)]);
      expect(results.map((r) => r.status).sort()).toEqual(['already_handled', 'already_handled', 'handled']);
      await h.runJobs(); // its job finds it handled
      expect(await outboxFor('bot_reply', 'guojun')).toHaveLength(1);
    });
  });

  describe('change_contact', () => {
    const console = (path: string, method: string, body?: unknown) =>
      fetch(`${h.emu.url}/console/api/directory/users${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { delivery?: { status: string } } }));

    it('creates, renames, moves to a new userid and deactivates people as the directory changes', async () => {
      // Distinct CreateTimes: WeCom's dedupe key for events is FromUserName ("sys") + CreateTime (+ the change), §6.7.
      let second = Math.floor(Date.now() / 1000) + 10;
      const created = await console('', 'POST', { userid: 'newhire', name: '新同事', alias: 'New Hire', department: 4 });
      expect(created.body.delivery?.status).toBe('delivered');
      await h.runJobs();
      const newhire = await person('newhire');
      expect(newhire).toMatchObject({ name: '新同事', english_name: 'New Hire', department_ids: [4], active: true });

      expect((await console('/newhire', 'PATCH', { name: '新同事二' })).body.delivery?.status).toBe('delivered');
      await h.runJobs();
      expect(await person('newhire')).toMatchObject({ id: newhire.id, name: '新同事二', english_name: 'New Hire', active: true });

      await h.emu.control.sendCallback({ type: 'change_contact', changeType: 'update_user', userId: 'newhire', newUserId: 'newhire2', createTime: second++ });
      await h.runJobs();
      expect(await person('newhire2')).toMatchObject({ id: newhire.id, name: '新同事二' });

      await h.emu.control.sendCallback({ type: 'change_contact', changeType: 'update_user', userId: 'newhire2', status: 2, createTime: second++ });
      await h.runJobs();
      expect((await person('newhire2')).active).toBe(false);
      await h.emu.control.sendCallback({ type: 'change_contact', changeType: 'update_user', userId: 'newhire2', status: 1, createTime: second++ });
      await h.runJobs();
      expect((await person('newhire2')).active).toBe(true);

      await h.emu.control.sendCallback({ type: 'change_contact', changeType: 'delete_user', userId: 'newhire2', createTime: second++ });
      await h.runJobs();
      expect(await person('newhire2')).toMatchObject({ id: newhire.id, active: false });
    });

    it('deletes through the console deactivate the person; department events are logged and ignored', async () => {
      expect((await console('/xuming', 'DELETE')).body.delivery?.status).toBe('delivered');
      await h.emu.control.sendCallback({ type: 'change_contact', changeType: 'create_party', id: 42, name: '新部门', parentId: 1 });
      await h.runJobs();
      expect((await person('xuming')).active).toBe(false);
      const party = (await callbackRows()).findLast((r) => (r.raw as { ChangeType?: string }).ChangeType === 'create_party')!;
      expect(party.handled_at).not.toBeNull();
      expect(party.error).toContain('ignored: Pairview keeps no departments');
    });

    it('reads a member WeCom names without details (user/get); a failing handler is retried and handled once', async () => {
      await db().deleteFrom('people').where('wecom_userid', '=', 'hezhen').execute();
      h.emu.control.injectFault({ path: 'user/get', errcodes: [60011] }); // not retried by the SDK: the job fails
      await h.emu.control.sendCallback({ type: 'change_contact', changeType: 'create_user', userId: 'hezhen' });
      await h.runJobs();
      const row = (await callbackRows()).findLast((r) => (r.raw as { UserID?: string }).UserID === 'hezhen')!;
      expect(row.handled_at).toBeNull();
      expect(row.error).toContain('60011');
      expect(await db().selectFrom('people').select('id').where('wecom_userid', '=', 'hezhen').execute()).toEqual([]);

      // graphile-worker retries after its backoff: move the worker's clock past it.
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + 5 * 60_000);
        await h.runJobs();
      } finally {
        vi.useRealTimers();
      }
      const handled = await db().selectFrom('inbound_callbacks').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      expect(handled.handled_at).not.toBeNull();
      expect(handled.error).toBeNull();
      const hezhen = await person('hezhen');
      expect(hezhen).toMatchObject({ name: '何珍', english_name: 'Zhen He', active: true });

      // Once more (a stray job): already handled, nothing changes.
      await sql`select graphile_worker.add_job(${HANDLE_CALLBACK_TASK}, ${JSON.stringify({ callbackId: row.id })}::json)`.execute(db());
      await h.runJobs();
      expect((await person('hezhen')).updated_at).toEqual(hezhen.updated_at);
    });
  });

  describe('card clicks', () => {
    let recruiter: MemberPrincipal;
    beforeAll(async () => {
      recruiter = { kind: 'member', person: await person('sunli'), roles: new Set(['recruiter', 'interviewer']) };
    });

    async function schedule(interviewers: string[]) {
      const ids = await Promise.all(interviewers.map(async (u) => (await person(u)).id));
      const { interviewId } = await createInterview({ db: db(), clock: h.deps.clock }, recruiter, {
        candidate: { name: '小明' },
        position: 'Backend engineer',
        startsAt: new Date(Date.now() + 86_400_000),
        durationMinutes: 60,
        interviewerIds: ids,
        hiringManagerId: (await person('zhangwei')).id,
      });
      return interviewId;
    }

    /** A card as the outbound side sends it (glue.md's keys); returns its msgid. */
    async function sendCard(userid: string, taskId: string, keys: string[]) {
      const card = templateCard.buttonInteraction({
        task_id: taskId,
        main_title: { title: '面试 小明', desc: 'Backend engineer' },
        button_list: keys.map((key, i) => ({ text: key.split(':')[1]!.slice(0, 10), style: i === 0 ? 1 : 2, key })),
      });
      const { msgid } = await h.deps.client.message.send({ toUser: [userid] }, card);
      return msgid;
    }

    async function click(userid: string, msgid: string, key: string) {
      const response = await fetch(`${h.emu.url}/console/api/members/${userid}/cards/${msgid}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'button', key }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { delivery: { status: string; reply?: { type: string; replaceName?: string } } }).delivery;
    }

    const cardOf = (userid: string, msgid: string) => h.emu.control.messages({ userid }).find((m) => m.msgid === msgid)!.card!;
    const responseOf = async (interviewId: string, userid: string) =>
      (
        await db()
          .selectFrom('interview_interviewers')
          .select('response')
          .where('interview_id', '=', interviewId)
          .where('person_id', '=', (await person(userid)).id)
          .executeTakeFirstOrThrow()
      ).response;

    it('Accept and Decline answer the invitation, and the clicker\'s card changes at once', async () => {
      const interviewId = await schedule(['lina', 'zhaolei']);
      const linaCard = await sendCard('lina', `inv-a-${interviewId}`, [`invite:accept:${interviewId}`, `invite:decline:${interviewId}`]);
      const zhaoleiCard = await sendCard('zhaolei', `inv-b-${interviewId}`, [`invite:accept:${interviewId}`, `invite:decline:${interviewId}`]);

      const accepted = await click('lina', linaCard, `invite:accept:${interviewId}`);
      expect(accepted).toMatchObject({ status: 'delivered', reply: { type: 'update_button', replaceName: '已接受' } });
      expect(await responseOf(interviewId, 'lina')).toBe('accepted');
      expect(cardOf('lina', linaCard).replaceName).toBe('已接受');

      const declined = await click('zhaolei', zhaoleiCard, `invite:decline:${interviewId}`);
      expect(declined.reply).toEqual({ type: 'update_button', replaceName: '已拒绝' });
      expect(await responseOf(interviewId, 'zhaolei')).toBe('declined');
      expect(cardOf('zhaolei', zhaoleiCard).replaceName).toBe('已拒绝');
      // The domain tells the recruiter.
      const notices = (await outboxFor('interviewer_declined', 'sunli')).filter((r) => r.interview_id === interviewId);
      expect(notices).toHaveLength(1);
      expect(notices[0]!.payload).toMatchObject({ interviewerId: (await person('zhaolei')).id });

      // Both clicks were handled in the request: their jobs find nothing left to do.
      await h.runJobs();
      expect((await outboxFor('interviewer_declined', 'sunli')).filter((r) => r.interview_id === interviewId)).toHaveLength(1);
    });

    it('a click by someone not on the panel changes nothing and is logged', async () => {
      const interviewId = await schedule(['lina']);
      const msgid = await sendCard('wuxia', `inv-c-${interviewId}`, [`invite:accept:${interviewId}`]);
      const delivery = await click('wuxia', msgid, `invite:accept:${interviewId}`);
      expect(delivery.reply).toEqual({ type: 'update_button', replaceName: '无权操作' });
      expect(await db().selectFrom('interview_interviewers').select('person_id').where('interview_id', '=', interviewId).execute()).toHaveLength(1);
      expect(await responseOf(interviewId, 'lina')).toBe('pending');
      const row = (await callbackRows()).findLast((r) => (r.raw as { TaskId?: string }).TaskId === `inv-c-${interviewId}`)!;
      expect(row.error).toMatch(/^refused: wuxia cannot accept the invitation to interview .* \(not on its panel\)/);
      expect(h.warnings.some((w) => w.includes('refused: wuxia'))).toBe(true);
    });

    it('Advance records the decision (hiring manager); an interviewer cannot; a late click shows who decided', async () => {
      const interviewId = await schedule(['lina']);
      const keys = ['advance', 'another_round', 'reject'].map((d) => `decision:${d}:${interviewId}`);
      const linaCard = await sendCard('lina', `dec-a-${interviewId}`, keys);
      const zhangweiCard = await sendCard('zhangwei', `dec-b-${interviewId}`, keys);
      const sunliCard = await sendCard('sunli', `dec-c-${interviewId}`, keys);

      expect((await click('lina', linaCard, keys[0]!)).reply).toEqual({ type: 'update_button', replaceName: '无权操作' });
      expect(await db().selectFrom('decisions').select('id').where('interview_id', '=', interviewId).execute()).toEqual([]);

      expect((await click('zhangwei', zhangweiCard, keys[0]!)).reply).toEqual({ type: 'update_button', replaceName: '已推进' });
      const decision = await db().selectFrom('decisions').selectAll().where('interview_id', '=', interviewId).executeTakeFirstOrThrow();
      expect(decision).toMatchObject({ decision: 'advance', decided_by: (await person('zhangwei')).id });
      expect(cardOf('zhangwei', zhangweiCard).replaceName).toBe('已推进');
      // decision_recorded goes to the recruiter and the hiring manager; its delivery updates everyone's card (H8).
      const recorded = (await outboxFor('decision_recorded', 'zhangwei')).filter((r) => r.interview_id === interviewId);
      expect(recorded).toHaveLength(1);

      expect((await click('sunli', sunliCard, keys[2]!)).reply).toEqual({ type: 'update_button', replaceName: '已推进 · 张伟' });
      expect((await db().selectFrom('decisions').selectAll().where('interview_id', '=', interviewId).executeTakeFirstOrThrow()).decision).toBe('advance');
    });

    it('a click a job handles is answered with update_template_card and the click\'s ResponseCode', async () => {
      const interviewId = await schedule(['huangjing']);
      const msgid = await sendCard('huangjing', `inv-d-${interviewId}`, [`invite:accept:${interviewId}`]);
      // As if the request had failed after logging the click: only the job is left to handle it.
      const responseCode = h.emu.state.inbox.issueResponseCode(msgid, h.emu.agentId, 'huangjing');
      const event = {
        type: 'template_card_event' as const,
        toUserName: h.emu.corpId,
        fromUserName: 'huangjing',
        createTime: Math.floor(Date.now() / 1000),
        agentId: h.emu.agentId,
        eventKey: `invite:accept:${interviewId}`,
        taskId: `inv-d-${interviewId}`,
        cardType: 'button_interaction',
        responseCode,
        selectedItems: [],
      };
      await logInboundCallback(h.database.pool, { dedupeKey: `job-click:${interviewId}`, eventType: 'event:template_card_event', raw: parseCallbackXml(serializeCallbackXml(event)) }, h.deps.clock);
      await h.runJobs();
      expect(await responseOf(interviewId, 'huangjing')).toBe('accepted');
      expect(cardOf('huangjing', msgid).replaceName).toBe('已接受');
      expect(h.emu.control.calls({ path: '/cgi-bin/message/update_template_card' }).at(-1)).toMatchObject({ errcode: 0 });
    });

    it('when the reply deadline has passed, the request answers the clicker through the API instead', async () => {
      const late = createCallbackPlugin(h.deps, { replyDeadlineMs: 0 });
      await h.serve([late]);
      try {
        const interviewId = await schedule(['daniel']);
        const msgid = await sendCard('daniel', `inv-e-${interviewId}`, [`invite:accept:${interviewId}`, `invite:decline:${interviewId}`]);
        const delivery = await click('daniel', msgid, `invite:decline:${interviewId}`);
        expect(delivery).toMatchObject({ status: 'delivered' });
        expect(delivery.reply).toBeUndefined(); // the empty 200 went out first
        await late.idle();
        expect(await responseOf(interviewId, 'daniel')).toBe('declined');
        expect(cardOf('daniel', msgid).replaceName).toBe('已拒绝');
      } finally {
        await late.idle();
      }
    });
  });
});

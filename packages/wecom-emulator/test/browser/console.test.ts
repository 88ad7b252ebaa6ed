/**
 * The member console in a real browser (Debian's Chromium driven by playwright-core; never a downloaded one):
 * a card sent through WeCom's API shows up in the member's inbox, a click on its button reaches the app's
 * receiver (built with the SDK's callback handler) as template_card_event, and the app's update_button reply
 * greys the card out on the page. A screenshot lands in /tmp/console.png for a human to look at.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCallbackHandler, createNodeMiddleware, type CallbackEventOf } from '@pairview/wecom/callback';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../../../test-support/chromium.ts';
import { startEmulator, type Emulator } from '../../src/index.ts';

const credentials = { token: 'BrowserTestToken', encodingAESKey: 'Qm9yaXNCcm93c2VyVGVzdEtleTEyMzQ1Njc4OTAxMjM' };
const corpId = 'wwbrowsertest0001';

let emu: Emulator;
let app: Server;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const clicks: CallbackEventOf<'template_card_event'>[] = [];

beforeAll(async () => {
  // The app: answers a button click by replacing the button with "已通过" (passive update_button, §6.6).
  const receiver = createCallbackHandler({ ...credentials, corpId });
  receiver.on('template_card_event', (event) => {
    clicks.push(event.event);
    return { type: 'update_button', replaceName: '已通过' };
  });
  const middleware = createNodeMiddleware(receiver, { path: '/wecom/callback' });
  app = createServer((request, response) => void middleware(request, response));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const { port } = app.address() as AddressInfo;

  emu = await startEmulator({ port: 0, corpId, callback: { url: `http://127.0.0.1:${port}/wecom/callback`, ...credentials } });

  userDataDir = mkdtempSync(join(tmpdir(), 'pairview-console-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
}, 60_000);

afterAll(async () => {
  await context?.close();
  await emu?.close();
  app?.closeAllConnections();
  await new Promise((resolve) => app?.close(resolve));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** Plain fetch, as any app would call WeCom: gettoken, then message/send. */
async function sendButtonCard(): Promise<string> {
  const tokenUrl = new URL('/cgi-bin/gettoken', emu.url);
  tokenUrl.searchParams.set('corpid', emu.corpId);
  tokenUrl.searchParams.set('corpsecret', emu.secret);
  const { access_token: token } = (await (await fetch(tokenUrl)).json()) as { access_token: string };
  const response = await fetch(new URL(`/cgi-bin/message/send?access_token=${token}`, emu.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      touser: 'zhangwei',
      msgtype: 'template_card',
      agentid: emu.agentId,
      template_card: {
        card_type: 'button_interaction',
        source: { desc: 'Pairview 面试' },
        main_title: { title: '面试反馈：李雷', desc: '后端工程师 · 第二轮' },
        sub_title_text: '请在面试结束后 24 小时内给出结论',
        horizontal_content_list: [
          { keyname: '候选人', value: '李雷 Li Lei' },
          { keyname: '时间', value: '周三 14:00' },
        ],
        task_id: 'feedback-browser-1',
        button_selection: {
          question_key: 'rating',
          title: '综合评价',
          option_list: [
            { id: 'strong', text: '强烈推荐' },
            { id: 'hire', text: '推荐' },
            { id: 'no', text: '不推荐' },
          ],
        },
        button_list: [
          { text: '通过', style: 1, key: 'pass' },
          { text: '不通过', style: 3, key: 'reject' },
        ],
      },
    }),
  });
  const sent = (await response.json()) as { errcode: number; msgid: string };
  expect(sent.errcode).toBe(0);
  return sent.msgid;
}

describe('member console in Chromium', () => {
  it('shows a card sent through the API, sends the click to the app and shows the update_button reply', async () => {
    await sendButtonCard();
    await emu.control.sendCallback({ type: 'text', fromUserName: 'zhangwei', content: '你好，我下午有空' });

    await page.goto(emu.consoleUrl);
    await page.locator('#member-list a[data-userid="zhangwei"]').click();
    await page.waitForURL(/userid=zhangwei/);

    const card = page.locator('form.template-card[data-task-id="feedback-browser-1"]');
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.locator('.card-title').textContent()).toBe('面试反馈：李雷');
    await card.locator('select[name="rating"]').selectOption('hire');
    await card.locator('button[data-key="pass"]').click();

    // The app got the click with the button's key, the card's task id, a ResponseCode and the selection.
    await expect.poll(() => clicks.length, { timeout: 10_000 }).toBe(1);
    expect(clicks[0]).toMatchObject({
      fromUserName: 'zhangwei',
      eventKey: 'pass',
      taskId: 'feedback-browser-1',
      cardType: 'button_interaction',
      selectedItems: [{ questionKey: 'rating', optionIds: ['hire'] }],
    });
    const responseCode = clicks[0]!.responseCode;
    expect(responseCode).toMatch(/^\S{20,}$/);

    // The page shows the update: one grey, disabled button with the app's text, and no clickable buttons.
    const replaced = card.locator('button.card-btn.replaced');
    await expect.poll(() => replaced.textContent(), { timeout: 10_000 }).toBe('已通过');
    expect(await replaced.isDisabled()).toBe(true);
    expect(await card.locator('button[data-key="pass"]').count()).toBe(0);
    expect(await page.locator('#log .log-item', { hasText: 'template_card_event' }).count()).toBe(1);

    await page.screenshot({ path: '/tmp/console.png', fullPage: true });

    // The ResponseCode the app received is the one WeCom issued for this click: usable once to replace the card.
    const tokenUrl = new URL('/cgi-bin/gettoken', emu.url);
    tokenUrl.searchParams.set('corpid', emu.corpId);
    tokenUrl.searchParams.set('corpsecret', emu.secret);
    const { access_token: token } = (await (await fetch(tokenUrl)).json()) as { access_token: string };
    const update = await fetch(new URL(`/cgi-bin/message/update_template_card?access_token=${token}`, emu.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        userids: ['zhangwei'],
        agentid: emu.agentId,
        response_code: responseCode,
        template_card: { card_type: 'text_notice', task_id: 'feedback-browser-1', main_title: { title: '反馈已提交，谢谢！' }, card_action: { type: 1, url: 'https://example.com' } },
      }),
    });
    expect(((await update.json()) as { errcode: number }).errcode).toBe(0);
    // Pushed to the open page (server-sent events), no reload.
    await expect.poll(() => page.locator('.template-card .card-title').first().textContent(), { timeout: 10_000 }).toBe('反馈已提交，谢谢！');
  }, 60_000);
});

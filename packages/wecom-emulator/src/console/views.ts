/**
 * The console's HTML, rendered on the server: the page shell, the member list, one member's conversation with
 * the app (as the phone shows it) and the callback delivery log. The page script (public/console.js) fetches
 * the same fragments again when something changes and swaps the parts that differ. Everything goes through the
 * escaping `html` template.
 */
import type { CallbackDelivery, CallbackRecord } from '../callbacks/deliverer.ts';
import type { CallbackService } from '../callbacks/service.ts';
import type { DirectoryUser, EmulatorState, InboxMessage } from '../state/index.ts';
import { currentCard } from './card-actions.ts';
import { html, join, SafeHtml, type HtmlValue } from './html.ts';
import type { Lang, Messages } from './i18n.ts';
import { renderMessageBody } from './render-message.ts';

export interface ViewContext {
  state: EmulatorState;
  callbacks: CallbackService;
  lang: Lang;
  t: Messages;
}

// ── small helpers ──────────────────────────────────────────────────────────────────────────────────────────

/** A stable hue per userid, so a member keeps the same avatar colour. */
function hue(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

function avatar(label: string, id: string, extra = ''): SafeHtml {
  return html`<span class="avatar ${extra}" style="--hue: ${hue(id)}" aria-hidden="true">${[...label][0] ?? '?'}</span>`;
}

function time(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit' });
}

function dateTime(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

// ── members ────────────────────────────────────────────────────────────────────────────────────────────────

function sortedMembers(state: EmulatorState): DirectoryUser[] {
  return state.directory.users().sort((a, b) => a.userid.localeCompare(b.userid));
}

export function renderMemberList(ctx: ViewContext, selected: string | undefined): SafeHtml {
  const { state, t, lang } = ctx;
  const departmentName = (id: number | undefined) => {
    const department = id === undefined ? undefined : state.directory.department(id);
    return department ? (lang === 'en' && department.name_en ? department.name_en : department.name) : '';
  };
  return html`<ul class="member-list" id="member-list">${sortedMembers(state).map((user) => {
    const isSelected = selected !== undefined && user.userid.toLowerCase() === selected.toLowerCase();
    const inactive = user.status !== undefined && user.status !== 1;
    return html`<li><a class="member${isSelected ? ' selected' : ''}${inactive ? ' inactive' : ''}" href="${query({ userid: user.userid, lang })}" data-userid="${user.userid}" data-search="${`${user.userid} ${user.name} ${user.alias ?? ''}`.toLowerCase()}">
  ${avatar(user.name, user.userid)}
  <span class="member-names"><span class="member-name">${user.name}${inactive ? html` <span class="badge muted">${t.disabled}</span>` : ''}</span>
  <span class="member-sub">${user.alias ? html`${user.alias} · ` : ''}${user.userid}</span>
  <span class="member-dept">${departmentName(user.main_department ?? user.department[0])}${user.position ? html` · ${user.position}` : ''}</span></span>
</a></li>`;
  })}</ul>`;
}

// ── the conversation ───────────────────────────────────────────────────────────────────────────────────────

type Entry = { at: number; key: string; render: () => SafeHtml };

/** The card as shown now: updates applied, and the member's last answers selected. */
function cardView(item: InboxMessage): Record<string, unknown> {
  const card = structuredClone(currentCard(item));
  if (item.card?.replaceName !== undefined) card.replace_text = item.card.replaceName;
  for (const answer of item.card?.lastAction?.selectedItems ?? []) {
    const selection = card.button_selection as Record<string, unknown> | undefined;
    if (selection?.question_key === answer.questionKey) selection.selected_id = answer.optionIds[0];
    const checkbox = card.checkbox as { question_key?: unknown; option_list?: Record<string, unknown>[] } | undefined;
    if (checkbox?.question_key === answer.questionKey) {
      for (const option of checkbox.option_list ?? []) option.is_checked = answer.optionIds.includes(String(option.id));
    }
    for (const select of (card.select_list as Record<string, unknown>[] | undefined) ?? []) {
      if (select.question_key === answer.questionKey) select.selected_id = answer.optionIds[0];
    }
  }
  return card;
}

function clickedLabel(item: InboxMessage): string | undefined {
  const last = item.card?.lastAction;
  if (!last) return undefined;
  const card = currentCard(item);
  const buttons = [...((card.button_list as Record<string, unknown>[] | undefined) ?? []), (card.submit_button as Record<string, unknown> | undefined) ?? {}];
  const button = buttons.find((b) => b.key === last.eventKey);
  return typeof button?.text === 'string' && button.text !== '' ? button.text : last.eventKey;
}

function appEntry(ctx: ViewContext, item: InboxMessage): Entry {
  const { state, t, lang } = ctx;
  const app = item.agentId !== null ? state.app(item.agentId) : undefined;
  const appName = item.chatid ? `${t.app} · ${item.chatid}` : (app?.name ?? `${t.app} ${item.agentId ?? ''}`);
  return {
    at: item.sentAt,
    key: `m-${item.msgid}`,
    render: () => {
      if (item.status === 'recalled') return html`<li class="system" id="m-${item.msgid}">${t.recalled}</li>`;
      if (item.status === 'dropped') {
        return html`<li class="system dropped" id="m-${item.msgid}" title="${item.dropReason ?? ''}">${t.dropped} · ${item.msgtype} · ${time(item.sentAt, lang)}</li>`;
      }
      const clicked = item.msgtype === 'template_card' && item.card?.replaceName === undefined ? clickedLabel(item) : undefined;
      return html`<li class="msg from-app" id="m-${item.msgid}" data-msgid="${item.msgid}" data-msgtype="${item.msgtype}">
  ${avatar(appName, `app-${item.agentId ?? item.chatid ?? ''}`, 'app-avatar')}
  <div class="msg-body"><div class="msg-sender">${appName}</div>
  ${renderMessageBody(item.msgtype, item.content, t, item.msgtype === 'template_card' ? cardView(item) : undefined)}
  ${clicked ? html`<div class="msg-note">${t.clickSent} · ${clicked}</div>` : ''}</div>
</li>`;
    },
  };
}

function memberEntry(ctx: ViewContext, record: CallbackDelivery, user: DirectoryUser): Entry | undefined {
  const event = record.event;
  if (event.type !== 'text') return undefined;
  const { t } = ctx;
  return {
    at: record.startedAt,
    key: `d-${record.id}`,
    render: () => html`<li class="msg from-member" id="d-${record.id}">
  <div class="msg-body"><div class="bubble text mine">${event.content}</div>${
    record.status === 'failed' ? html`<div class="msg-note error" title="${record.error ?? ''}">! ${t.failed}</div>` : ''
  }</div>
  ${avatar(user.name, user.userid)}
</li>`,
  };
}

/** One member's conversation with the app, oldest first, with a time line where more than 5 minutes pass. */
export function renderConversation(ctx: ViewContext, userid: string | undefined): SafeHtml {
  const { state, callbacks, t, lang } = ctx;
  const user = userid ? state.directory.user(userid) : undefined;
  if (!user) return html`<ol class="conversation" id="conversation"><li class="empty">${t.chooseMember}</li></ol>`;
  const entries: Entry[] = [
    ...state.inbox.items({ userid: user.userid }).map((item) => appEntry(ctx, item)),
    ...callbacks.deliverer
      .records({ userid: user.userid })
      .flatMap((record) => (record.kind === 'delivery' ? (memberEntry(ctx, record, user) ?? []) : [])),
  ].sort((a, b) => a.at - b.at);
  if (entries.length === 0) return html`<ol class="conversation" id="conversation" data-userid="${user.userid}"><li class="empty">${t.inboxEmpty}</li></ol>`;
  const parts: HtmlValue[] = [];
  let last = -Infinity;
  for (const entry of entries) {
    if (entry.at - last > 5 * 60_000) parts.push(html`<li class="time" id="t-${entry.key}">${dateTime(entry.at, lang)}</li>`);
    last = entry.at;
    parts.push(entry.render());
  }
  return html`<ol class="conversation" id="conversation" data-userid="${user.userid}">${join(parts)}</ol>`;
}

// ── the delivery log ───────────────────────────────────────────────────────────────────────────────────────

function replySummary(record: CallbackDelivery, t: Messages): string {
  const reply = record.reply;
  if (!reply) return record.status === 'delivered' ? t.noReply : '';
  switch (reply.type) {
    case 'text':
      return `${t.reply}: text「${reply.content}」`;
    case 'update_button':
      return `${t.reply}: update_button「${reply.replaceName}」`;
    case 'update_template_card':
      return `${t.reply}: update_template_card (${String(reply.card.card_type)})`;
    case 'news':
      return `${t.reply}: news (${reply.articles.length})`;
    default:
      return `${t.reply}: ${reply.type}`;
  }
}

function renderRecord(record: CallbackRecord, ctx: ViewContext): SafeHtml {
  const { t, lang } = ctx;
  const statusText = record.status === 'pending' ? t.pending : record.status === 'failed' ? t.failed : t.delivered;
  if (record.kind === 'verification') {
    return html`<li class="log-item status-${record.status}" id="log-${record.id}">
  <div class="log-head"><span class="log-time">${time(record.startedAt, lang)}</span><span class="log-label">${t.verifyUrl}</span><span class="badge status-${record.status}">${statusText}</span></div>
  <div class="log-meta">GET ${record.url}${record.httpStatus ? html` · HTTP ${record.httpStatus}` : ''}</div>
  ${record.error ? html`<div class="log-error">${record.error}</div>` : ''}
</li>`;
  }
  const last = record.attempts.at(-1);
  return html`<li class="log-item status-${record.status}" id="log-${record.id}">
  <div class="log-head"><span class="log-time">${time(record.startedAt, lang)}</span><span class="log-label">${record.label}</span><span class="log-user">${record.userid}</span><span class="badge status-${record.status}">${statusText}</span></div>
  <div class="log-meta">${record.attempts.length} ${t.attempts}${last?.httpStatus ? html` · HTTP ${last.httpStatus}` : ''}${
    replySummary(record, t) ? html` · ${replySummary(record, t)}` : ''
  }${record.applied ? html` · ${record.applied}` : ''}</div>
  ${record.error ? html`<div class="log-error">${record.error}</div>` : ''}
  <details class="log-xml"><summary>XML</summary><pre>${record.xml}</pre>${record.replyXml ? html`<pre>${record.replyXml}</pre>` : ''}</details>
</li>`;
}

export function renderLog(ctx: ViewContext): SafeHtml {
  const { callbacks, t } = ctx;
  const records = callbacks.deliverer.records().slice(-100).reverse();
  return html`<div id="log">${callbacks.configured ? '' : html`<p class="notice">${t.noCallbackUrl}</p>`}<ol class="log-list" id="log-list">${
    records.length === 0 ? html`<li class="empty">${t.callbacksEmpty}</li>` : records.map((r) => renderRecord(r, ctx))
  }</ol></div>`;
}

// ── the page ───────────────────────────────────────────────────────────────────────────────────────────────

export function renderPage(ctx: ViewContext, selected: string | undefined): string {
  const { state, t, lang } = ctx;
  const user = selected ? state.directory.user(selected) : undefined;
  const app = state.config.app;
  const departments = state.directory.departments();
  const other: Lang = lang === 'en' ? 'zh' : 'en';
  const page = html`<!doctype html>
<html lang="${lang === 'en' ? 'en' : 'zh-CN'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/console.js"></script>
</head>
<body data-userid="${user?.userid ?? ''}" data-lang="${lang}">
<header class="topbar">
  <div class="brand"><span class="brand-mark" aria-hidden="true"></span>${t.title}</div>
  <div class="corp"><span>${t.corp} <code>${state.config.corpId}</code></span><span>${t.agent} <code>${app.agentId}</code></span></div>
  <a class="lang-toggle" href="${query({ userid: user?.userid, lang: other })}" data-lang="${other}">${t.language}</a>
</header>
<main class="layout">
  <aside class="panel members-panel">
    <h2>${t.members}</h2>
    <input type="search" id="member-search" placeholder="${t.searchMembers}" autocomplete="off">
    ${renderMemberList(ctx, user?.userid)}
    <details class="add-member">
      <summary>${t.addMember}</summary>
      <form id="add-member-form" class="stack">
        <label>${t.userid}<input name="userid" required></label>
        <label>${t.name}<input name="name" required></label>
        <label>${t.englishName}<input name="alias"></label>
        <label>${t.department}<select name="department">${departments.map(
          (d) => html`<option value="${d.id}">${lang === 'en' && d.name_en ? d.name_en : d.name} (${d.id})</option>`,
        )}</select></label>
        <button type="submit">${t.create}</button>
      </form>
    </details>
  </aside>
  <section class="phone-column">
    <div class="phone">
      <div class="phone-status"><span>9:41</span><span class="phone-signal" aria-hidden="true">▮▮▮ ◔</span></div>
      <div class="phone-header"><span class="phone-back" aria-hidden="true">‹</span><span class="phone-title">${app.name ?? t.app}</span><span class="phone-user">${user ? user.name : ''}</span></div>
      ${renderConversation(ctx, user?.userid)}
      <form class="composer" id="composer"${user ? '' : html` hidden`}>
        <button type="button" class="enter-app" id="enter-app">${t.enterApp}</button>
        <input name="content" id="composer-input" placeholder="${t.messagePlaceholder}" autocomplete="off" required>
        <button type="submit" class="send">${t.send}</button>
      </form>
    </div>
    ${
      user
        ? html`<div class="member-actions">
      <form id="rename-form" class="inline"><input name="name" value="${user.name}" aria-label="${t.newName}" required><button type="submit">${t.rename}</button></form>
      <button type="button" id="toggle-active" data-active="${user.status === 1 || user.status === undefined ? '1' : '0'}">${
        user.status === 1 || user.status === undefined ? t.deactivate : t.activate
      }</button>
      <button type="button" id="delete-member" class="danger">${t.delete}</button>
    </div>`
        : ''
    }
  </section>
  <aside class="panel side-panel">
    <section>
      <div class="section-head"><h2>${t.callbacks}</h2><button type="button" id="verify-url">${t.verifyUrl}</button></div>
      ${renderLog(ctx)}
    </section>
    <section class="oauth">
      <h2>${t.oauth}</h2>
      ${app.homeUrl ? html`<p><a class="button" href="${app.homeUrl}" target="_blank" rel="noopener">${t.openApp} ${app.name ?? 'app'} ↗</a></p><p class="hint">${t.openAppHelp}</p>` : ''}
      <p class="hint">${t.oauthHelp}</p>
      <form action="/connect/oauth2/authorize" method="get" target="_blank" class="stack">
        <input type="hidden" name="appid" value="${state.config.corpId}">
        <input type="hidden" name="response_type" value="code">
        <input type="hidden" name="agentid" value="${app.agentId}">
        <label>${t.redirectUri}<input name="redirect_uri" type="url" required placeholder="${redirectExample(app.homeUrl)}"></label>
        <div class="inline"><label>scope<select name="scope"><option>snsapi_base</option><option>snsapi_privateinfo</option></select></label><label>state<input name="state" value="demo"></label></div>
        <button type="submit">${t.inClientAuth} ↗</button>
      </form>
      <form action="/wwlogin/sso/login" method="get" target="_blank" class="stack">
        <input type="hidden" name="login_type" value="CorpApp">
        <input type="hidden" name="appid" value="${state.config.corpId}">
        <input type="hidden" name="agentid" value="${app.agentId}">
        <label>${t.redirectUri}<input name="redirect_uri" type="url" required placeholder="${redirectExample(app.homeUrl)}"></label>
        <input type="hidden" name="state" value="demo">
        <button type="submit">${t.webLogin} ↗</button>
      </form>
    </section>
  </aside>
</main>
<div id="toast" role="status" aria-live="polite"></div>
</body>
</html>`;
  return page.value;
}

/** A redirect_uri to show as the example: on the app's own origin when the console knows it. */
function redirectExample(homeUrl: string | undefined): string {
  const origin = homeUrl && URL.canParse(homeUrl) ? new URL(homeUrl).origin : 'https://app.example.com';
  return `${origin}/oauth/callback`;
}

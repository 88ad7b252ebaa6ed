// WeCom emulator · member console. The server renders every part of the page; this script sends the member's
// actions to /console/api/… and, when the server says something changed (server-sent events, or polling if the
// stream drops), fetches the changed fragments and swaps only the elements that differ — so a half-filled card
// keeps its selections. Text from the server is only ever inserted as parsed server HTML or as textContent.

const body = document.body;
const userid = body.dataset.userid || '';
const lang = body.dataset.lang === 'en' ? 'en' : 'zh';
document.cookie = `console_lang=${lang}; path=/console; SameSite=Lax`;

const TEXT = {
  zh: {
    sent: '已发送给应用',
    clickSent: '已发送点击事件',
    delivered: '回调已投递',
    failed: '回调投递失败',
    noCallback: '未配置回调 URL',
    passed: '回调 URL 验证通过',
    verifyFailed: '回调 URL 验证失败',
    saved: '已保存',
    confirmDelete: '删除这个成员？应用会收到 delete_user 回调。',
  },
  en: {
    sent: 'Sent to the app',
    clickSent: 'Click sent',
    delivered: 'Callback delivered',
    failed: 'Callback failed',
    noCallback: 'No callback URL configured',
    passed: 'Callback URL verified',
    verifyFailed: 'Callback URL verification failed',
    saved: 'Saved',
    confirmDelete: 'Delete this member? The app gets a delete_user callback.',
  },
}[lang];

// ── requests ──────────────────────────────────────────────────────────────────────────────────────────────

async function call(method, path, payload) {
  const response = await fetch(path, {
    method,
    headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

let toastTimer;
function toast(message, isError = false) {
  const element = document.getElementById('toast');
  element.textContent = message;
  element.classList.toggle('error', isError);
  element.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove('show'), isError ? 5000 : 2200);
}

/** Reports a delivery record: fine when delivered, the error when not. */
function reportDelivery(delivery, okText) {
  if (!delivery) return toast(`${okText} · ${TEXT.noCallback}`);
  if (delivery.status === 'failed') return toast(`${TEXT.failed}: ${delivery.error || ''}`, true);
  toast(okText);
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    toast(error.message, true);
  } finally {
    scheduleRefresh({ scope: 'all' });
  }
}

const memberPath = (suffix) => `/console/api/members/${encodeURIComponent(userid)}${suffix}`;

// ── the phone: composer, enter app, card clicks ───────────────────────────────────────────────────────────

document.getElementById('composer')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('composer-input');
  const content = input.value;
  if (!content.trim()) return;
  input.value = '';
  run(async () => reportDelivery((await call('POST', memberPath('/messages'), { content })).delivery, TEXT.sent));
});

document.getElementById('enter-app')?.addEventListener('click', () =>
  run(async () => reportDelivery((await call('POST', memberPath('/enter'))).delivery, TEXT.delivered)),
);

/** The answers a card's inputs hold: button_selection, checkbox and select_list, by question_key. */
function selectedItems(form) {
  const answers = new Map();
  for (const select of form.querySelectorAll('select[name]')) {
    if (select.value) answers.set(select.name, [select.value]);
  }
  for (const input of form.querySelectorAll('input[type="checkbox"][name], input[type="radio"][name]')) {
    if (!answers.has(input.name)) answers.set(input.name, []);
    if (input.checked) answers.get(input.name).push(input.value);
  }
  return [...answers].map(([questionKey, optionIds]) => ({ questionKey, optionIds }));
}

const conversationHost = () => document.getElementById('conversation');

document.addEventListener('click', (event) => {
  const button = event.target.closest('#conversation [data-action]');
  if (!button) return;
  event.preventDefault();
  const form = button.closest('form.template-card');
  const message = button.closest('[data-msgid]');
  if (!form || !message) return;
  const action = button.dataset.action;
  button.classList.add('busy');
  button.closest('details')?.removeAttribute('open');
  run(async () => {
    const payload = { action, key: button.dataset.key, selectedItems: action === 'menu' ? [] : selectedItems(form) };
    const result = await call('POST', memberPath(`/cards/${encodeURIComponent(message.dataset.msgid)}/actions`), payload);
    reportDelivery(result.delivery, TEXT.clickSent);
  }).finally(() => button.classList.remove('busy'));
});

document.addEventListener('submit', (event) => {
  if (event.target.closest('#conversation')) event.preventDefault();
});

// ── directory edits ───────────────────────────────────────────────────────────────────────────────────────

const goTo = (id) => {
  const search = new URLSearchParams({ lang });
  if (id) search.set('userid', id);
  location.href = `/console/?${search}`;
};

document.getElementById('add-member-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(event.target));
  run(async () => {
    const result = await call('POST', '/console/api/directory/users', { ...data, department: Number(data.department) });
    reportDelivery(result.delivery, TEXT.saved);
    goTo(data.userid);
  });
});

document.getElementById('rename-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = new FormData(event.target).get('name');
  run(async () => {
    const result = await call('PATCH', `/console/api/directory/users/${encodeURIComponent(userid)}`, { name });
    reportDelivery(result.delivery, TEXT.saved);
    setTimeout(() => goTo(userid), 600);
  });
});

document.getElementById('toggle-active')?.addEventListener('click', (event) => {
  const active = event.currentTarget.dataset.active !== '1';
  run(async () => {
    const result = await call('PATCH', `/console/api/directory/users/${encodeURIComponent(userid)}`, { active });
    reportDelivery(result.delivery, TEXT.saved);
    setTimeout(() => goTo(userid), 600);
  });
});

document.getElementById('delete-member')?.addEventListener('click', () => {
  if (!confirm(TEXT.confirmDelete)) return;
  run(async () => {
    const result = await call('DELETE', `/console/api/directory/users/${encodeURIComponent(userid)}`);
    reportDelivery(result.delivery, TEXT.saved);
    setTimeout(() => goTo(''), 600);
  });
});

document.getElementById('verify-url')?.addEventListener('click', () =>
  run(async () => {
    const { verification } = await call('POST', '/console/api/verify');
    if (verification.status === 'passed') toast(TEXT.passed);
    else toast(`${TEXT.verifyFailed}: ${verification.error || ''}`, true);
  }),
);

document.getElementById('member-search')?.addEventListener('input', (event) => {
  const needle = event.target.value.trim().toLowerCase();
  for (const link of document.querySelectorAll('#member-list .member')) {
    link.parentElement.hidden = needle !== '' && !link.dataset.search.includes(needle);
  }
});

// ── live updates ──────────────────────────────────────────────────────────────────────────────────────────

/** The HTML the server sent for each element on the page, to tell a server change from a local one (an open menu). */
const serverHtml = new WeakMap();
for (const id of ['conversation', 'log-list', 'member-list']) {
  for (const child of document.getElementById(id)?.children ?? []) serverHtml.set(child, child.outerHTML);
}

/**
 * Replaces `current`'s children with `next`'s, keeping every existing child whose server HTML did not change (its
 * form state, focus and open menus survive). Children are matched by id.
 */
function patchChildren(current, next) {
  const existing = new Map([...current.children].filter((c) => c.id).map((c) => [c.id, c]));
  const nodes = [...next.children].map((child) => {
    const old = child.id ? existing.get(child.id) : undefined;
    if (old && serverHtml.get(old) === child.outerHTML) return old;
    const node = document.importNode(child, true);
    serverHtml.set(node, child.outerHTML);
    return node;
  });
  current.replaceChildren(...nodes);
  for (const attribute of next.getAttributeNames()) current.setAttribute(attribute, next.getAttribute(attribute));
}

async function fetchFragment(name) {
  const search = new URLSearchParams({ lang });
  if (userid) search.set('userid', userid);
  const response = await fetch(`/console/fragments/${name}?${search}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new DOMParser().parseFromString(await response.text(), 'text/html').body.firstElementChild;
}

async function refreshConversation() {
  const host = conversationHost();
  const next = await fetchFragment('conversation');
  if (!host || !next) return;
  const atBottom = host.scrollHeight - host.scrollTop - host.clientHeight < 40;
  const before = host.children.length;
  patchChildren(host, next);
  if (atBottom || host.children.length > before) host.scrollTop = host.scrollHeight;
}

async function refreshLog() {
  const host = document.getElementById('log');
  const next = await fetchFragment('log');
  if (!host || !next) return;
  // Patch the list item by item, so an expanded XML view stays open while new deliveries arrive.
  const list = host.querySelector('#log-list');
  const nextList = next.querySelector('#log-list');
  if (list && nextList) {
    patchChildren(list, nextList);
    host.querySelector('.notice')?.remove();
    const notice = next.querySelector('.notice');
    if (notice) host.prepend(document.importNode(notice, true));
  } else {
    patchChildren(host, next);
  }
}

async function refreshMembers() {
  const host = document.getElementById('member-list');
  const next = await fetchFragment('members');
  if (host && next) patchChildren(host, next);
  document.getElementById('member-search')?.dispatchEvent(new Event('input'));
}

let pending = new Set();
let timer;
function scheduleRefresh(change) {
  if (change.scope === 'all') pending = new Set(['inbox', 'log', 'directory']);
  else pending.add(change.scope);
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const scopes = pending;
    pending = new Set();
    try {
      // A delivery can change the conversation too (the member's own message, a passive reply).
      if (scopes.has('inbox') || scopes.has('log')) await refreshConversation();
      if (scopes.has('log')) await refreshLog();
      if (scopes.has('directory')) await refreshMembers();
    } catch {
      // The next change or poll tries again.
    }
  }, 80);
}

let pollTimer;
function startPolling() {
  if (!pollTimer) pollTimer = setInterval(() => scheduleRefresh({ scope: 'all' }), 2000);
}

if ('EventSource' in window) {
  const events = new EventSource('/console/events');
  events.addEventListener('change', (event) => {
    try {
      scheduleRefresh(JSON.parse(event.data));
    } catch {
      scheduleRefresh({ scope: 'all' });
    }
  });
  events.addEventListener('open', () => {
    clearInterval(pollTimer);
    pollTimer = undefined;
  });
  events.addEventListener('error', startPolling);
} else {
  startPolling();
}

const host = conversationHost();
if (host) host.scrollTop = host.scrollHeight;

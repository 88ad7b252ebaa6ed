/**
 * One app message as a phone shows it. Bodies are the message/send shapes (wecom-protocol.md §3.2), read
 * defensively: a missing or odd field renders nothing rather than failing the whole inbox. Images are drawn as
 * placeholders and never fetched — the emulator must not call out (and picurls point at the internet).
 */
import { html, join, safeHttpUrl, SafeHtml, type HtmlValue } from './html.ts';
import type { Messages } from './i18n.ts';
import { renderMarkdown, renderTextContent, renderTextcardDescription } from './markdown.ts';

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}
function list(value: unknown): Obj[] {
  return Array.isArray(value) ? value.map(obj) : [];
}
function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A link when the URL is http(s); otherwise the label as plain text. */
function link(url: unknown, label: HtmlValue, className = ''): SafeHtml {
  const href = safeHttpUrl(url);
  return href
    ? html`<a class="${className}" href="${href}" target="_blank" rel="noopener noreferrer">${label}</a>`
    : html`<span class="${className}">${label}</span>`;
}

function placeholder(kind: string, label: string, detail = ''): SafeHtml {
  return html`<div class="media-placeholder media-${kind}"><span class="media-icon" aria-hidden="true"></span><span class="media-label">${label}</span>${
    detail ? html`<span class="media-detail">${detail}</span>` : ''
  }</div>`;
}

export function renderMessageBody(msgtype: string, content: unknown, t: Messages, card?: unknown): SafeHtml {
  const body = obj(content);
  switch (msgtype) {
    case 'text':
      return html`<div class="bubble text">${new SafeHtml(renderTextContent(str(body.content)))}</div>`;
    case 'markdown':
      return html`<div class="bubble markdown">${new SafeHtml(renderMarkdown(str(body.content)))}</div>`;
    case 'textcard':
      return renderTextcard(body, t);
    case 'news':
      return renderNews(list(body.articles), t);
    case 'mpnews':
      return renderNews(
        list(body.articles).map((a) => ({ title: a.title, description: a.digest, url: a.content_source_url })),
        t,
      );
    case 'image':
      return placeholder('image', t.image, str(body.media_id));
    case 'file':
      return placeholder('file', t.file, str(body.media_id));
    case 'voice':
      return placeholder('voice', t.voice, str(body.media_id));
    case 'video':
      return placeholder('video', str(body.title) || t.video, str(body.description) || str(body.media_id));
    case 'miniprogram_notice':
      return renderMiniprogramNotice(body, t);
    case 'template_card':
      return renderTemplateCard(obj(card ?? content), t);
    default:
      return html`<div class="bubble unsupported">${t.unsupported}: ${msgtype}</div>`;
  }
}

function renderTextcard(body: Obj, t: Messages): SafeHtml {
  return html`<div class="textcard">
  <div class="tc-title">${str(body.title)}</div>
  <div class="tc-desc">${new SafeHtml(renderTextcardDescription(str(body.description)))}</div>
  <div class="tc-foot">${link(body.url, str(body.btntxt) || t.details, 'tc-btn')}</div>
</div>`;
}

function renderNews(articles: Obj[], t: Messages): SafeHtml {
  const [first, ...rest] = articles;
  if (!first) return html``;
  return html`<div class="news">
  <div class="news-lead">
    ${placeholder('image', t.image)}
    <div class="news-lead-title">${link(first.url, str(first.title))}</div>
  </div>
  ${rest.length === 0 && str(first.description) ? html`<div class="news-desc">${str(first.description)}</div>` : ''}
  ${rest.map((a) => html`<div class="news-item">${link(a.url, str(a.title))}<span class="news-thumb" aria-hidden="true"></span></div>`)}
</div>`;
}

function renderMiniprogramNotice(body: Obj, t: Messages): SafeHtml {
  return html`<div class="textcard">
  <div class="tc-kind">${t.miniprogram}</div>
  <div class="tc-title">${str(body.title)}</div>
  <div class="tc-desc"><div class="tc-gray">${str(body.description)}</div>${list(body.content_item).map(
    (item) => html`<div class="kv"><span class="kv-key">${str(item.key)}</span><span class="kv-value">${str(item.value)}</span></div>`,
  )}</div>
</div>`;
}

/** source.desc_color: 0 grey (default), 1 black, 2 red, 3 green (§3.2 card fields). */
const DESC_COLORS = ['grey', 'black', 'red', 'green'];

/**
 * A template card of any of the five types, as a form the console script can read: buttons and menu items carry
 * `data-action` and `data-key`; selections are named by their question_key. Once the app replaced the buttons
 * (`replace_text`, set by an update_button reply or update_template_card), the buttons become one grey label and
 * the inputs are disabled, as on the phone.
 */
export function renderTemplateCard(card: Obj, t: Messages): SafeHtml {
  const type = str(card.card_type);
  const replaced = str(card.replace_text);
  const disabled = replaced !== '';
  const source = obj(card.source);
  const mainTitle = obj(card.main_title);
  const emphasis = obj(card.emphasis_content);
  const quote = obj(card.quote_area);
  const image = obj(card.card_image);
  const imageText = obj(card.image_text_area);
  const actionMenu = obj(card.action_menu);
  const cardAction = obj(card.card_action);
  const sections: HtmlValue[] = [];

  const menuItems = list(actionMenu.action_list);
  if (str(source.desc) || menuItems.length > 0) {
    sections.push(html`<div class="card-source">
  <span class="card-source-icon" aria-hidden="true"></span>
  <span class="card-source-desc color-${DESC_COLORS[Number(source.desc_color) || 0] ?? 'grey'}">${str(source.desc)}</span>
  ${
    menuItems.length > 0
      ? html`<details class="card-menu"><summary title="${t.moreActions}">⋯</summary><div class="card-menu-list">${
          str(actionMenu.desc) ? html`<div class="card-menu-desc">${str(actionMenu.desc)}</div>` : ''
        }${menuItems.map(
          (item) => html`<button type="button" data-action="menu" data-key="${str(item.key)}">${str(item.text)}</button>`,
        )}</div></details>`
      : ''
  }
</div>`);
  }
  if (str(mainTitle.title) || str(mainTitle.desc)) {
    sections.push(html`<div class="card-title">${str(mainTitle.title)}</div>${
      str(mainTitle.desc) ? html`<div class="card-title-desc">${str(mainTitle.desc)}</div>` : ''
    }`);
  }
  if (str(image.url)) {
    const ratio = Number(image.aspect_ratio) || 1.3;
    sections.push(html`<div class="card-image" style="aspect-ratio: ${Math.min(Math.max(ratio, 1.3), 2.25)}">${placeholder('image', t.image)}</div>`);
  }
  if (str(imageText.title) || str(imageText.image_url) || str(imageText.desc)) {
    sections.push(html`<div class="card-image-text">${placeholder('image', t.image)}<div><div class="card-it-title">${str(
      imageText.title,
    )}</div><div class="card-it-desc">${str(imageText.desc)}</div></div></div>`);
  }
  if (str(emphasis.title) || str(emphasis.desc)) {
    sections.push(html`<div class="card-emphasis"><div class="card-emphasis-title">${str(emphasis.title)}</div><div class="card-emphasis-desc">${str(
      emphasis.desc,
    )}</div></div>`);
  }
  if (str(quote.title) || str(quote.quote_text)) {
    sections.push(html`<div class="card-quote">${str(quote.title) ? html`<div class="card-quote-title">${str(quote.title)}</div>` : ''}<div class="card-quote-text">${str(
      quote.quote_text,
    )}</div></div>`);
  }
  if (str(card.sub_title_text)) sections.push(html`<div class="card-subtitle">${str(card.sub_title_text)}</div>`);
  const vertical = list(card.vertical_content_list);
  if (vertical.length > 0) {
    sections.push(html`<div class="card-vertical">${vertical.map(
      (v) => html`<div class="card-vertical-item"><div class="card-vertical-title">${str(v.title)}</div><div class="card-vertical-desc">${str(v.desc)}</div></div>`,
    )}</div>`);
  }
  const horizontal = list(card.horizontal_content_list);
  if (horizontal.length > 0) {
    sections.push(html`<div class="card-horizontal">${horizontal.map((h) => {
      const kind = Number(h.type) || 0;
      // type 0 text, 1 url, 2 attachment (media_id), 3 member (userid) — §3.2 horizontal_content_list
      const value =
        kind === 1
          ? link(h.url, str(h.value))
          : kind === 2
            ? html`<span class="kv-attachment">📎 ${str(h.value) || t.attachment}</span>`
            : kind === 3
              ? html`<span class="kv-member">@${str(h.value) || str(h.userid)}</span>`
              : html`${str(h.value)}`;
      return html`<div class="kv"><span class="kv-key">${str(h.keyname)}</span><span class="kv-value">${value}</span></div>`;
    })}</div>`);
  }
  const jumps = list(card.jump_list);
  if (jumps.length > 0) {
    sections.push(html`<div class="card-jumps">${jumps.map((j) => html`<div class="card-jump">${link(j.url, str(j.title))}</div>`)}</div>`);
  }

  const selection = obj(card.button_selection);
  if (str(selection.question_key)) {
    sections.push(html`<label class="card-select"><span class="card-select-title">${str(selection.title)}</span>${renderSelect(
      str(selection.question_key),
      list(selection.option_list),
      str(selection.selected_id),
      disabled,
      t,
    )}</label>`);
  }
  const checkbox = obj(card.checkbox);
  if (str(checkbox.question_key)) {
    // mode 0 single choice, 1 multiple choice (§3.2 checkbox)
    const inputType = Number(checkbox.mode) === 1 ? 'checkbox' : 'radio';
    sections.push(html`<fieldset class="card-checkbox" ${disabled ? new SafeHtml('disabled') : ''}>${list(checkbox.option_list).map(
      (o) => html`<label class="card-option"><input type="${inputType}" name="${str(checkbox.question_key)}" value="${str(o.id)}" ${
        o.is_checked === true ? new SafeHtml('checked') : ''
      }><span>${str(o.text)}</span></label>`,
    )}</fieldset>`);
  }
  for (const select of list(card.select_list)) {
    sections.push(html`<label class="card-select"><span class="card-select-title">${str(select.title)}</span>${renderSelect(
      str(select.question_key),
      list(select.option_list),
      str(select.selected_id),
      disabled,
      t,
    )}</label>`);
  }

  const buttons = list(card.button_list);
  const submit = obj(card.submit_button);
  if (disabled) {
    sections.push(html`<div class="card-buttons"><button type="button" class="card-btn replaced" disabled>${replaced}</button></div>`);
  } else if (buttons.length > 0) {
    sections.push(html`<div class="card-buttons">${buttons.map((b) =>
      // type 0 sends a callback with the key, type 1 opens a URL; style 1–4 (§3.2 button_list)
      Number(b.type) === 1
        ? link(b.url, str(b.text), `card-btn style-${Number(b.style) || 1}`)
        : html`<button type="button" class="card-btn style-${Number(b.style) || 1}" data-action="button" data-key="${str(b.key)}">${str(b.text)}</button>`,
    )}</div>`);
  } else if (str(submit.key) || type === 'vote_interaction' || type === 'multiple_interaction') {
    sections.push(html`<div class="card-buttons"><button type="button" class="card-btn style-1" data-action="submit" data-key="${str(submit.key)}">${
      str(submit.text) || t.submit
    }</button></div>`);
  }
  const actionUrl = safeHttpUrl(cardAction.url);
  if (actionUrl) sections.push(html`<div class="card-action">${link(actionUrl, t.details)}</div>`);

  return html`<form class="template-card card-${type}" data-task-id="${str(card.task_id)}" data-card-type="${type}">${join(
    sections,
  )}</form>`;
}

function renderSelect(name: string, options: Obj[], selectedId: string, disabled: boolean, t: Messages): SafeHtml {
  return html`<select name="${name}" ${disabled ? new SafeHtml('disabled') : ''}>${selectedId ? '' : html`<option value="">${t.pleaseChoose}</option>`}${options.map(
    (o) => html`<option value="${str(o.id)}" ${str(o.id) === selectedId ? new SafeHtml('selected') : ''}>${str(o.text)}</option>`,
  )}</select>`;
}

/**
 * template_card checks, from the card field reference in wecom-protocol.md §3.2 (WeCom answers 42027–42051 for
 * most of these; some, like over-long text, it truncates silently instead — we refuse both before sending).
 */
import { Checker } from './checker.ts';
import type { CardType } from './types.ts';

const CARD_TYPES: readonly CardType[] = ['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction'];
const INTERACTIVE: readonly CardType[] = ['button_interaction', 'vote_interaction', 'multiple_interaction'];

/** Fields that only some card types accept ("Used by" column of §3.2). Fields not listed are common to all. */
const FIELD_USED_BY: Record<string, readonly CardType[]> = {
  quote_area: ['text_notice', 'news_notice', 'button_interaction'],
  emphasis_content: ['text_notice'],
  sub_title_text: ['text_notice', 'button_interaction'],
  horizontal_content_list: ['text_notice', 'news_notice', 'button_interaction'],
  jump_list: ['text_notice', 'news_notice'],
  card_action: ['text_notice', 'news_notice', 'button_interaction'],
  card_image: ['news_notice'],
  image_text_area: ['news_notice'],
  vertical_content_list: ['news_notice'],
  button_selection: ['button_interaction'],
  button_list: ['button_interaction'],
  checkbox: ['vote_interaction'],
  submit_button: ['vote_interaction', 'multiple_interaction'],
  select_list: ['multiple_interaction'],
};

/** task_id: `[0-9A-Za-z_\-@]`, ≤128 bytes, unique per app. */
const TASK_ID = /^[0-9A-Za-z_\-@]{1,128}$/;
/** Callback keys (buttons, action menu, submit) are ≤1024 bytes. */
const KEY_BYTES = 1024;

export interface CardCheckOptions {
  /** The group robot accepts only text_notice and news_notice (§9.2). */
  allowedTypes?: readonly CardType[];
}

export function checkTemplateCard(c: Checker, path: string, card: unknown, options: CardCheckOptions = {}): void {
  if (!c.isObject(path, card)) return;
  const allowed = options.allowedTypes ?? CARD_TYPES;
  if (!c.oneOf(`${path}.card_type`, card.card_type, allowed, true)) return;
  const type = card.card_type as CardType;
  const at = (field: string) => `${path}.${field}`;

  for (const [field, usedBy] of Object.entries(FIELD_USED_BY)) {
    if (card[field] !== undefined && !usedBy.includes(type)) {
      c.add(at(field), `${at(field)} is not used by ${type} cards (only ${usedBy.join(', ')})`);
    }
  }

  // source
  if (c.isObject(at('source'), card.source, false)) {
    const source = card.source;
    c.string(at('source.icon_url'), source.icon_url);
    c.string(at('source.desc'), source.desc, { maxChars: 20 });
    c.oneOf(at('source.desc_color'), source.desc_color, [0, 1, 2, 3]);
  }

  // task_id: required by interactive cards and by action_menu
  const needsTask = INTERACTIVE.includes(type) || card.action_menu !== undefined;
  if (card.task_id !== undefined || needsTask) {
    const why = INTERACTIVE.includes(type) ? `${type} cards need one` : 'a card with action_menu needs one';
    if (c.string(at('task_id'), card.task_id, { required: true, hint: why }) && card.task_id !== '' && !TASK_ID.test(card.task_id)) {
      c.add(at('task_id'), `${at('task_id')} must be 1–128 characters of 0-9, A-Z, a-z, _, - and @`);
    }
  }

  // action_menu
  if (c.isObject(at('action_menu'), card.action_menu, false)) {
    const actions = c.array(at('action_menu.action_list'), card.action_menu.action_list, { min: 1, max: 3, what: 'actions' });
    actions.forEach((action, i) => {
      const p = at(`action_menu.action_list[${i}]`);
      if (!c.isObject(p, action)) return;
      c.string(`${p}.text`, action.text, { required: true });
      c.string(`${p}.key`, action.key, { required: true, maxBytes: KEY_BYTES });
    });
    c.unique('key', actions.map((a, i) => ({ path: at(`action_menu.action_list[${i}].key`), value: (a as { key?: unknown })?.key })));
  }

  // main_title
  const mainTitleRequired = type !== 'text_notice';
  if (c.isObject(at('main_title'), card.main_title, mainTitleRequired)) {
    const mt = card.main_title;
    c.string(at('main_title.title'), mt.title, { required: mainTitleRequired, maxChars: 36 });
    c.string(at('main_title.desc'), mt.desc, { maxChars: 44 });
  }
  if (type === 'text_notice') {
    const title = (card.main_title as { title?: unknown } | undefined)?.title;
    const hasTitle = typeof title === 'string' && title !== '';
    const hasSub = typeof card.sub_title_text === 'string' && card.sub_title_text !== '';
    if (!hasTitle && !hasSub) c.add(at('main_title.title'), `a text_notice card needs ${at('main_title.title')} or ${at('sub_title_text')}`);
  }
  c.string(at('sub_title_text'), card.sub_title_text, { maxChars: 160 });

  if (c.isObject(at('quote_area'), card.quote_area, false)) {
    const q = card.quote_area;
    checkLink(c, at('quote_area'), q, [0, 1, 2], false);
    c.string(at('quote_area.title'), q.title);
    c.string(at('quote_area.quote_text'), q.quote_text);
  }

  if (c.isObject(at('emphasis_content'), card.emphasis_content, false)) {
    c.string(at('emphasis_content.title'), card.emphasis_content.title, { maxChars: 14 });
    c.string(at('emphasis_content.desc'), card.emphasis_content.desc, { maxChars: 22 });
  }

  c.array(at('horizontal_content_list'), card.horizontal_content_list, { max: 6 }).forEach((item, i) => {
    const p = at(`horizontal_content_list[${i}]`);
    if (!c.isObject(p, item)) return;
    // keyname: WeCom advises ≤5 characters but its own example uses 6, so only presence is checked.
    c.string(`${p}.keyname`, item.keyname, { required: true });
    c.string(`${p}.value`, item.value, { maxChars: 30 });
    if (!c.oneOf(`${p}.type`, item.type, [0, 1, 2, 3])) return;
    if (item.type === 1) c.url(`${p}.url`, item.url, { required: true });
    if (item.type === 2) c.string(`${p}.media_id`, item.media_id, { required: true, hint: 'type 2 is an attachment' });
    if (item.type === 3) c.string(`${p}.userid`, item.userid, { required: true, hint: 'type 3 is a member' });
  });

  c.array(at('jump_list'), card.jump_list, { max: 3 }).forEach((item, i) => {
    const p = at(`jump_list[${i}]`);
    if (!c.isObject(p, item)) return;
    c.string(`${p}.title`, item.title, { required: true, maxChars: 18 });
    checkLink(c, p, item, [0, 1, 2], false);
  });

  // card_action: required by the notice cards (42045), optional on button_interaction
  const actionRequired = type === 'text_notice' || type === 'news_notice';
  if (c.isObject(at('card_action'), card.card_action, actionRequired)) {
    checkLink(c, at('card_action'), card.card_action, type === 'button_interaction' ? [0, 1, 2] : [1, 2], true);
  }

  if (type === 'news_notice') checkNewsNotice(c, path, card);
  if (type === 'button_interaction') checkButtonInteraction(c, path, card);
  if (type === 'vote_interaction') checkVoteInteraction(c, path, card);
  if (type === 'multiple_interaction') checkMultipleInteraction(c, path, card);
}

/** `{type, url, appid, pagepath}`: type 1 needs a url, type 2 a mini program appid. */
function checkLink(c: Checker, path: string, link: Record<string, unknown>, types: readonly number[], typeRequired: boolean): void {
  if (!c.oneOf(`${path}.type`, link.type, types, typeRequired)) return;
  if (link.type === 1) c.url(`${path}.url`, link.url, { required: true, maxBytes: 2048 });
  if (link.type === 2) c.string(`${path}.appid`, link.appid, { required: true, hint: 'type 2 opens a mini program' });
}

function checkNewsNotice(c: Checker, path: string, card: Record<string, unknown>): void {
  if (card.card_image === undefined && card.image_text_area === undefined) {
    c.add(`${path}.card_image`, `a news_notice card needs ${path}.card_image or ${path}.image_text_area`);
  }
  if (c.isObject(`${path}.card_image`, card.card_image, false)) {
    const image = card.card_image;
    c.url(`${path}.card_image.url`, image.url, { required: true });
    const ratio = image.aspect_ratio;
    if (ratio !== undefined && (typeof ratio !== 'number' || ratio < 1.3 || ratio > 2.25)) {
      c.add(`${path}.card_image.aspect_ratio`, `${path}.card_image.aspect_ratio is ${JSON.stringify(ratio)}; WeCom allows 1.3–2.25`);
    }
  }
  if (c.isObject(`${path}.image_text_area`, card.image_text_area, false)) {
    const area = card.image_text_area;
    checkLink(c, `${path}.image_text_area`, area, [0, 1, 2], false);
    c.url(`${path}.image_text_area.image_url`, area.image_url, { required: true });
  }
  // Documented maxima differ by revision (title 26–38, desc 112–160 characters); we apply the larger ones.
  c.array(`${path}.vertical_content_list`, card.vertical_content_list, { max: 4 }).forEach((item, i) => {
    const p = `${path}.vertical_content_list[${i}]`;
    if (!c.isObject(p, item)) return;
    c.string(`${p}.title`, item.title, { required: true, maxChars: 38 });
    c.string(`${p}.desc`, item.desc, { maxChars: 160 });
  });
}

function checkOptions(c: Checker, path: string, value: unknown, max: number, selectedId: unknown): void {
  const options = c.array(`${path}.option_list`, value, { min: 1, max, what: 'options' });
  options.forEach((option, i) => {
    const p = `${path}.option_list[${i}]`;
    if (!c.isObject(p, option)) return;
    c.string(`${p}.id`, option.id, { required: true, maxBytes: 128 });
    c.string(`${p}.text`, option.text, { required: true });
  });
  c.unique('option id', options.map((o, i) => ({ path: `${path}.option_list[${i}].id`, value: (o as { id?: unknown })?.id })));
  if (typeof selectedId === 'string' && options.length > 0 && !options.some((o) => (o as { id?: unknown })?.id === selectedId)) {
    c.add(`${path}.selected_id`, `${path}.selected_id "${selectedId}" is not the id of one of its options`);
  }
}

function checkButtonInteraction(c: Checker, path: string, card: Record<string, unknown>): void {
  if (c.isObject(`${path}.button_selection`, card.button_selection, false)) {
    const sel = card.button_selection;
    c.string(`${path}.button_selection.question_key`, sel.question_key, { required: true, maxBytes: KEY_BYTES });
    c.string(`${path}.button_selection.title`, sel.title);
    checkOptions(c, `${path}.button_selection`, sel.option_list, 10, sel.selected_id);
  }
  const buttons = c.array(`${path}.button_list`, card.button_list, { min: 1, max: 6, what: 'buttons' });
  buttons.forEach((button, i) => {
    const p = `${path}.button_list[${i}]`;
    if (!c.isObject(p, button)) return;
    c.string(`${p}.text`, button.text, { required: true, maxChars: 10 });
    c.oneOf(`${p}.style`, button.style, [1, 2, 3, 4]);
    if (button.type !== undefined && !c.oneOf(`${p}.type`, button.type, [0, 1])) return;
    if (button.type === 1) c.url(`${p}.url`, button.url, { required: true });
    // 42039: a callback button (type 0, the default) must carry a key.
    else c.string(`${p}.key`, button.key, { required: true, maxBytes: KEY_BYTES, hint: 'a callback button needs a key' });
  });
  c.unique('button key', buttons.map((b, i) => ({ path: `${path}.button_list[${i}].key`, value: (b as { key?: unknown })?.key })));
}

function checkSubmitButton(c: Checker, path: string, value: unknown): void {
  if (!c.isObject(`${path}.submit_button`, value)) return;
  c.string(`${path}.submit_button.text`, value.text, { maxChars: 10 });
  c.string(`${path}.submit_button.key`, value.key, { required: true, maxBytes: KEY_BYTES });
}

function checkVoteInteraction(c: Checker, path: string, card: Record<string, unknown>): void {
  if (c.isObject(`${path}.checkbox`, card.checkbox)) {
    const box = card.checkbox;
    c.string(`${path}.checkbox.question_key`, box.question_key, { required: true, maxBytes: KEY_BYTES });
    c.oneOf(`${path}.checkbox.mode`, box.mode, [0, 1]);
    checkOptions(c, `${path}.checkbox`, box.option_list, 20, undefined);
    if (box.mode !== 1 && Array.isArray(box.option_list)) {
      const checked = box.option_list.filter((o) => (o as { is_checked?: unknown })?.is_checked === true).length;
      if (checked > 1) c.add(`${path}.checkbox.option_list`, `${path}.checkbox has ${checked} options checked but mode is single choice (set mode: 1 for multiple choice)`);
    }
  }
  checkSubmitButton(c, path, card.submit_button);
}

function checkMultipleInteraction(c: Checker, path: string, card: Record<string, unknown>): void {
  const selects = c.array(`${path}.select_list`, card.select_list, { min: 1, max: 3, what: 'selectors' });
  selects.forEach((select, i) => {
    const p = `${path}.select_list[${i}]`;
    if (!c.isObject(p, select)) return;
    c.string(`${p}.question_key`, select.question_key, { required: true, maxBytes: KEY_BYTES });
    c.string(`${p}.title`, select.title);
    checkOptions(c, p, select.option_list, 10, select.selected_id);
  });
  c.unique('question_key', selects.map((s, i) => ({ path: `${path}.select_list[${i}].question_key`, value: (s as { question_key?: unknown })?.question_key })));
  checkSubmitButton(c, path, card.submit_button);
}

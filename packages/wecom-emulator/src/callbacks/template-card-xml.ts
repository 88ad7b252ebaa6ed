/**
 * An `update_template_card` passive reply carries the whole card as XML (D-96469 / 90241 "更新点击用户的整张卡片"):
 * the message/send JSON fields in PascalCase (`MainTitle/Title`, `TaskId`, `ReplaceText`), lists written as the
 * list's tag repeated once per item (`<ButtonList>…</ButtonList><ButtonList>…</ButtonList>`, as WeCom's samples
 * and the Go/Java SDKs serialize them). This turns it back into the JSON card the inbox stores, so a card updated
 * by a passive reply and one updated through message/update_template_card look the same. The exact XML of every
 * field is only in the official samples [U, §12]; a wrapper element around list items is accepted as well.
 */
import type { XmlRecord, XmlValue } from '@pairview/wecom/callback';

/** JSON keys that are lists even when the XML has a single item. */
const LIST_KEYS = new Set(['horizontal_content_list', 'jump_list', 'vertical_content_list', 'button_list', 'option_list', 'select_list', 'action_list']);
/** JSON keys whose values are numbers (type and style enums, ratios). */
const NUMBER_KEYS = new Set(['type', 'style', 'desc_color', 'mode', 'aspect_ratio', 'button_column']);
const BOOLEAN_KEYS = new Set(['is_checked']);
/** Tags whose JSON name is not the plain snake_case of the tag (WeCom writes these keys as one word). */
const KEY_EXCEPTIONS: Record<string, string> = { KeyName: 'keyname', AppId: 'appid', Appid: 'appid', PagePath: 'pagepath', Pagepath: 'pagepath', UserId: 'userid', Userid: 'userid' };

export function jsonKeyOf(tag: string): string {
  return KEY_EXCEPTIONS[tag] ?? tag.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
}

export function templateCardFromXml(record: XmlRecord): Record<string, unknown> {
  const card = convertRecord(record);
  if (typeof card.card_type !== 'string' || card.card_type === '') {
    throw new TypeError('the <TemplateCard> has no <CardType>');
  }
  return card;
}

function convertRecord(record: XmlRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [tag, value] of Object.entries(record)) {
    const key = jsonKeyOf(tag);
    out[key] = LIST_KEYS.has(key) ? toList(value) : convertValue(key, value);
  }
  return out;
}

function toList(value: XmlValue): unknown[] {
  const items = Array.isArray(value) ? value : value === '' ? [] : [value];
  // <ButtonList><Button>…</Button><Button>…</Button></ButtonList>: unwrap the single wrapper element.
  if (items.length === 1 && isRecord(items[0])) {
    const keys = Object.keys(items[0]);
    const inner = keys.length === 1 ? items[0][keys[0]!] : undefined;
    if (inner !== undefined && (Array.isArray(inner) || isRecord(inner))) {
      return (Array.isArray(inner) ? inner : [inner]).map((item) => convertValue('', item));
    }
  }
  return items.map((item) => convertValue('', item));
}

function convertValue(key: string, value: XmlValue): unknown {
  if (Array.isArray(value)) return value.map((item) => convertValue(key, item));
  if (isRecord(value)) return convertRecord(value);
  if (NUMBER_KEYS.has(key) && /^-?\d+(?:\.\d+)?$/.test(value.trim())) return Number(value);
  if (BOOLEAN_KEYS.has(key)) return value.trim() === 'true' || value.trim() === '1';
  return value;
}

function isRecord(value: unknown): value is XmlRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed callback events from ONE table (wecom-protocol.md §6.10). Each row names a WeCom payload (its MsgType,
 * Event and ChangeType) and its fields: the XML tag, how the text becomes a TypeScript value, and how it is written
 * back. The `CallbackEvent` union, the parser (`toCallbackEvent`) and the writer (`serializeCallbackXml`) are all
 * derived from the table, so a field added here is typed, parsed and written everywhere at once.
 *
 * Type names are WeCom's own: the message `location` and the event `LOCATION` (upper case, §6.10) are different
 * payloads. A payload the table does not know, or a known one missing a required field, becomes
 * `{ type: 'unknown', raw }` rather than an error, so a new WeCom event never breaks a receiver.
 */
import {
  bare,
  cdata,
  children,
  listOf,
  parseCallbackXml,
  repeat,
  textOf,
  treeFromRecord,
  writeXml,
  type XmlNode,
  type XmlRecord,
  type XmlTree,
  type XmlValue,
} from './xml.ts';

// ---- field kinds --------------------------------------------------------------------------------------------

/** How one field is read from and written to XML. `read` returns undefined when the value is absent or invalid. */
export interface FieldSpec<T, Optional extends boolean = boolean> {
  readonly tag: string;
  readonly optional: Optional;
  read(value: XmlValue | undefined): T | undefined;
  /** undefined: leave the element out. */
  write(value: T): XmlNode | undefined;
}

type Req<T> = FieldSpec<T, false>;

/** A string, written in CDATA as WeCom does. */
const str = (tag: string): Req<string> => ({
  tag,
  optional: false,
  read: (v) => textOf(v),
  write: (v) => cdata(v),
});

/** A numeric id that may exceed 2^53 (MsgId is 64-bit): kept as a string, written bare. */
const digits = (tag: string): Req<string> => ({
  tag,
  optional: false,
  read: (v) => {
    const text = textOf(v)?.trim();
    return text !== undefined && /^\d+$/.test(text) ? text : undefined;
  },
  write: (v) => bare(v),
});

const int = (tag: string): Req<number> => ({
  tag,
  optional: false,
  read: (v) => {
    const text = textOf(v)?.trim();
    return text !== undefined && /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
  },
  write: (v) => bare(v),
});

const decimal = (tag: string): Req<number> => ({
  tag,
  optional: false,
  read: (v) => {
    const text = textOf(v)?.trim();
    return text !== undefined && /^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) : undefined;
  },
  write: (v) => bare(v),
});

/** WeCom's comma-separated lists (Department, IsLeaderInDept, Add/DelUserItems…, §6.10). */
const stringList = (tag: string): Req<string[]> => ({
  tag,
  optional: false,
  read: (v) => {
    const text = textOf(v);
    return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  },
  write: (v) => cdata(v.join(',')),
});

const intList = (tag: string): Req<number[]> => ({
  tag,
  optional: false,
  read: (v) => {
    const items = stringList(tag).read(v);
    return items === undefined || items.some((s) => !/^-?\d{1,15}$/.test(s)) ? undefined : items.map(Number);
  },
  write: (v) => cdata(v.join(',')),
});

/** Absent is fine: the field is `?:` in the type. */
function optional<T>(spec: FieldSpec<T>): FieldSpec<T, true> {
  return { ...spec, optional: true };
}

/** Absent means empty (a tag change that added no users has no AddUserItems); an empty list is not written. */
function emptyWhenAbsent<T>(spec: FieldSpec<T[]>): FieldSpec<T[], false> {
  return {
    ...spec,
    optional: false,
    read: (v) => (v === undefined ? [] : spec.read(v)),
    write: (v) => (v.length === 0 ? undefined : spec.write(v)),
  };
}

/** A template-card answer: which options a member picked for one question (button_selection, checkbox, select_list). */
export interface SelectedItem {
  questionKey: string;
  optionIds: string[];
}

const selectedItems: FieldSpec<SelectedItem[], false> = {
  tag: 'SelectedItems',
  optional: false,
  read: (v) => {
    if (v === undefined || v === '') return [];
    if (typeof v !== 'object' || Array.isArray(v)) return undefined;
    const items: SelectedItem[] = [];
    for (const item of listOf(v.SelectedItem)) {
      if (typeof item !== 'object' || Array.isArray(item)) return undefined;
      const questionKey = textOf(item.QuestionKey);
      if (questionKey === undefined) return undefined;
      const ids = item.OptionIds;
      const optionIds = ids && typeof ids === 'object' && !Array.isArray(ids) ? listOf(ids.OptionId).map((id) => textOf(id) ?? '') : [];
      items.push({ questionKey, optionIds });
    }
    return items;
  },
  write: (items) =>
    items.length === 0
      ? undefined
      : children({
          SelectedItem: repeat(
            items.map((item) =>
              children({
                QuestionKey: cdata(item.questionKey),
                OptionIds: children({ OptionId: repeat(item.optionIds.map(cdata)) }),
              }),
            ),
          ),
        }),
};

/** A member's extended attribute (ExtAttr/Item): Type 0 text, 1 web link, 2 mini program. */
export interface ExtAttrItem {
  name: string;
  type: number;
  text?: { value: string };
  web?: { title: string; url: string };
  /** Other shapes (mini program) as parsed. */
  raw?: XmlRecord;
}

const extAttr: FieldSpec<ExtAttrItem[], true> = {
  tag: 'ExtAttr',
  optional: true,
  read: (v) => {
    if (v === undefined) return undefined;
    if (v === '') return [];
    if (typeof v !== 'object' || Array.isArray(v)) return undefined;
    return listOf(v.Item).flatMap((item): ExtAttrItem[] => {
      if (typeof item !== 'object' || Array.isArray(item)) return [];
      const out: ExtAttrItem = { name: textOf(item.Name) ?? '', type: Number(textOf(item.Type) ?? 0) };
      const text = item.Text;
      const web = item.Web;
      if (text && typeof text === 'object' && !Array.isArray(text)) out.text = { value: textOf(text.Value) ?? '' };
      if (web && typeof web === 'object' && !Array.isArray(web)) out.web = { title: textOf(web.Title) ?? '', url: textOf(web.Url) ?? '' };
      const rest = Object.keys(item).filter((k) => !['Name', 'Type', 'Text', 'Web'].includes(k));
      if (rest.length > 0) out.raw = item;
      return [out];
    });
  },
  write: (items) =>
    children({
      Item: repeat(
        items.map((item) =>
          children({
            Name: cdata(item.name),
            Type: bare(item.type),
            Text: item.text ? children({ Value: cdata(item.text.value) }) : undefined,
            Web: item.web ? children({ Title: cdata(item.web.title), Url: cdata(item.web.url) }) : undefined,
            ...(item.raw ? omitKeys(treeFromRecord(item.raw), ['Name', 'Type', 'Text', 'Web']) : {}),
          }),
        ),
      ),
    }),
};

// ---- the table ----------------------------------------------------------------------------------------------

type Fields = Record<string, FieldSpec<any>>;

/** Which common header a payload carries: app messages (MsgId), app events, contact-sync events (no AgentID). */
type Family = 'message' | 'event' | 'contact';

/** A row as the runtime sees it; the helpers below keep each row's literal types for the derived union. */
interface Row {
  readonly type: string;
  readonly family: Family;
  readonly msgType: string;
  readonly event?: string;
  readonly changeType?: string;
  readonly fields: Fields;
}

const message = <T extends string, F extends Fields>(type: T, fields: F) => ({ type, family: 'message' as const, msgType: type, fields });
const appEvent = <T extends string, F extends Fields>(type: T, fields: F) => ({
  type,
  family: 'event' as const,
  msgType: 'event',
  event: type as string,
  fields,
});
const contactChange = <C extends string, F extends Fields>(changeType: C, fields: F) => ({
  type: 'change_contact' as const,
  family: 'contact' as const,
  msgType: 'event',
  event: 'change_contact',
  changeType,
  fields,
});

/** Member fields of create_user / update_user (§6.10). Optional: since 2022-08-15 many apps get only UserID/Department. */
const memberFields = {
  name: optional(str('Name')),
  department: optional(intList('Department')),
  mainDepartment: optional(int('MainDepartment')),
  isLeaderInDept: optional(intList('IsLeaderInDept')),
  directLeader: optional(stringList('DirectLeader')),
  position: optional(str('Position')),
  mobile: optional(str('Mobile')),
  gender: optional(int('Gender')),
  email: optional(str('Email')),
  bizMail: optional(str('BizMail')),
  status: optional(int('Status')),
  avatar: optional(str('Avatar')),
  alias: optional(str('Alias')),
  telephone: optional(str('Telephone')),
  address: optional(str('Address')),
  extAttr,
};

/** Shared by template_card_event and template_card_menu_event (§6.10). */
const cardFields = {
  eventKey: str('EventKey'),
  taskId: str('TaskId'),
  cardType: str('CardType'),
  responseCode: optional(str('ResponseCode')),
};

export const callbackEventTable = {
  // Messages (MsgType = type), each with MsgId and AgentID.
  text: message('text', { content: str('Content') }),
  image: message('image', { picUrl: str('PicUrl'), mediaId: str('MediaId') }),
  voice: message('voice', { mediaId: str('MediaId'), format: optional(str('Format')) }),
  video: message('video', { mediaId: str('MediaId'), thumbMediaId: str('ThumbMediaId') }),
  location: message('location', {
    locationX: decimal('Location_X'),
    locationY: decimal('Location_Y'),
    scale: optional(int('Scale')),
    label: optional(str('Label')),
    appType: optional(str('AppType')),
  }),
  link: message('link', { title: str('Title'), description: optional(str('Description')), url: str('Url'), picUrl: optional(str('PicUrl')) }),

  // App events (MsgType = event, Event = type).
  enter_agent: appEvent('enter_agent', { eventKey: optional(str('EventKey')) }),
  subscribe: appEvent('subscribe', {}),
  unsubscribe: appEvent('unsubscribe', {}),
  click: appEvent('click', { eventKey: str('EventKey') }),
  view: appEvent('view', { eventKey: str('EventKey') }),
  LOCATION: appEvent('LOCATION', {
    latitude: decimal('Latitude'),
    longitude: decimal('Longitude'),
    precision: optional(decimal('Precision')),
    appType: optional(str('AppType')),
  }),
  template_card_event: appEvent('template_card_event', { ...cardFields, selectedItems }),
  template_card_menu_event: appEvent('template_card_menu_event', cardFields),

  // Contact sync (Event = change_contact, FromUserName = sys, no AgentID), one row per ChangeType.
  create_user: contactChange('create_user', { userId: str('UserID'), ...memberFields }),
  update_user: contactChange('update_user', { userId: str('UserID'), newUserId: optional(str('NewUserID')), ...memberFields }),
  delete_user: contactChange('delete_user', { userId: str('UserID') }),
  create_party: contactChange('create_party', {
    id: int('Id'),
    name: optional(str('Name')),
    parentId: optional(int('ParentId')),
    order: optional(int('Order')),
  }),
  update_party: contactChange('update_party', { id: int('Id'), name: optional(str('Name')), parentId: optional(int('ParentId')) }),
  delete_party: contactChange('delete_party', { id: int('Id') }),
  update_tag: contactChange('update_tag', {
    tagId: int('TagId'),
    addUserItems: emptyWhenAbsent(stringList('AddUserItems')),
    delUserItems: emptyWhenAbsent(stringList('DelUserItems')),
    addPartyItems: emptyWhenAbsent(intList('AddPartyItems')),
    delPartyItems: emptyWhenAbsent(intList('DelPartyItems')),
  }),
} as const;

type Table = typeof callbackEventTable;

// ---- types derived from the table ---------------------------------------------------------------------------

type ValueOf<S> = S extends FieldSpec<infer T, boolean> ? T : never;
type FieldValues<F extends Fields> = {
  -readonly [K in keyof F as F[K] extends FieldSpec<any, true> ? never : K]: ValueOf<F[K]>;
} & {
  -readonly [K in keyof F as F[K] extends FieldSpec<any, true> ? K : never]?: ValueOf<F[K]>;
};

/** Fields every payload has (§6.10). */
interface CommonFields {
  /** CorpID. */
  toUserName: string;
  /** The member's UserID; `sys` for contact-sync events. */
  fromUserName: string;
  /** Unix seconds. */
  createTime: number;
  /** The parsed plaintext XML, every value a string. */
  raw: XmlRecord;
}

type FamilyFields<R> = R extends { family: 'message' }
  ? { /** 64-bit, so a string. */ msgId: string; agentId?: number }
  : R extends { family: 'event' }
    ? { agentId?: number }
    : R extends { changeType: infer C }
      ? { changeType: C }
      : {};

type Flatten<T> = { [K in keyof T]: T[K] };
type EventOfRow<R> = R extends { type: infer T; fields: infer F extends Fields } ? Flatten<{ type: T } & FamilyFields<R> & CommonFields & FieldValues<F>> : never;

/** An event WeCom sent that the table does not know (or a known one missing a required field). */
export interface UnknownCallbackEvent {
  type: 'unknown';
  msgType: string;
  event?: string;
  changeType?: string;
  /** Why a known MsgType/Event was not typed (a missing or malformed field), when that is the reason. */
  problem?: string;
  raw: XmlRecord;
}

/** Every typed callback payload, discriminated by `type` (and `changeType` for `change_contact`). */
export type CallbackEvent = { [K in keyof Table]: EventOfRow<Table[K]> }[keyof Table] | UnknownCallbackEvent;
export type CallbackEventType = CallbackEvent['type'];
export type CallbackEventOf<T extends CallbackEventType> = Extract<CallbackEvent, { type: T }>;
export type ChangeContactEvent = CallbackEventOf<'change_contact'>;
export type ChangeContactType = ChangeContactEvent['changeType'];

/** An event to write as XML: `raw` is not needed (except for `unknown`, which is written from it). */
export type CallbackEventInput = CallbackEvent extends infer E ? (E extends { type: 'unknown' } ? E : E extends unknown ? Omit<E, 'raw'> & { raw?: XmlRecord } : never) : never;

// ---- parse and serialize ------------------------------------------------------------------------------------

const rows: readonly Row[] = Object.values(callbackEventTable);

/** Lookup by MsgType / Event / ChangeType. Event names match case-insensitively except where case is the name. */
const byKey = new Map<string, Row>(rows.map((row) => [rowKey(row.msgType, row.event, row.changeType), row]));

function rowKey(msgType: string, event?: string, changeType?: string): string {
  if (msgType !== 'event') return msgType.toLowerCase();
  // LOCATION is the only event whose case carries meaning; WeCom sends every other event name in lower case.
  const name = event === 'LOCATION' ? event : (event ?? '').toLowerCase();
  return changeType === undefined ? `event:${name}` : `event:${name}:${changeType.toLowerCase()}`;
}

type FieldList = ReadonlyArray<readonly [string, FieldSpec<any>]>;

/** Each family's common header (§6.10), then the row's own fields: built once per row, read for every callback. */
const fieldLists = new Map<Row, FieldList>(
  rows.map((row) => {
    const header: Array<[string, FieldSpec<any>]> = [
      ['toUserName', str('ToUserName')],
      ['fromUserName', str('FromUserName')],
      ['createTime', int('CreateTime')],
    ];
    if (row.family === 'message') header.push(['msgId', digits('MsgId')]);
    if (row.family !== 'contact') header.push(['agentId', optional(int('AgentID'))]);
    return [row, [...header, ...Object.entries(row.fields)]];
  }),
);

function fieldsOf(row: Row): FieldList {
  return fieldLists.get(row)!;
}

/** Parses decrypted callback XML into a typed event. Throws CallbackCryptoError(ParseXml) only for XML that is not XML. */
export function parseCallbackEvent(xml: string): CallbackEvent {
  return toCallbackEvent(parseCallbackXml(xml));
}

/** Maps a parsed record onto the table. Never throws: what it cannot type becomes `unknown`. */
export function toCallbackEvent(raw: XmlRecord): CallbackEvent {
  const msgType = textOf(raw.MsgType) ?? '';
  const event = textOf(raw.Event);
  const changeType = textOf(raw.ChangeType);
  const row = byKey.get(rowKey(msgType, event, msgType === 'event' && event === 'change_contact' ? changeType : undefined));
  const unknown = (problem?: string): UnknownCallbackEvent => ({
    type: 'unknown',
    msgType,
    ...(event !== undefined ? { event } : {}),
    ...(changeType !== undefined ? { changeType } : {}),
    ...(problem ? { problem } : {}),
    raw,
  });
  if (!row) return unknown();

  const out: Record<string, unknown> = { type: row.type };
  for (const [name, spec] of fieldsOf(row)) {
    const value = raw[spec.tag];
    const parsed = spec.read(value);
    if (parsed === undefined) {
      if (value !== undefined) return unknown(`<${spec.tag}> has an unexpected value`);
      if (!spec.optional) return unknown(`<${spec.tag}> is missing`);
      continue;
    }
    out[name] = parsed;
  }
  if (row.changeType !== undefined) out.changeType = row.changeType;
  out.raw = raw;
  return out as CallbackEvent;
}

/**
 * Writes an event as the plaintext XML WeCom sends (before encryption): strings in CDATA, numbers bare, header
 * first. `parseCallbackEvent(serializeCallbackXml(e))` gives back `e` (with `raw`).
 */
export function serializeCallbackXml(event: CallbackEventInput): string {
  if (event.type === 'unknown') return writeXml(treeFromRecord(event.raw));
  const values = event as unknown as Record<string, unknown>;
  const row = rowFor(event.type, values.changeType as string | undefined);
  const tree: Record<string, XmlNode | undefined> = {
    ToUserName: cdata(String(values.toUserName)),
    FromUserName: cdata(String(values.fromUserName)),
    CreateTime: bare(Number(values.createTime)),
    MsgType: cdata(row.msgType),
  };
  if (row.event !== undefined) tree.Event = cdata(row.event);
  if (row.changeType !== undefined) tree.ChangeType = bare(row.changeType);
  for (const [name, spec] of Object.entries(row.fields)) {
    const value = values[name];
    if (value !== undefined) tree[spec.tag] = spec.write(value);
  }
  if (row.family === 'message') tree.MsgId = bare(String(values.msgId));
  if (row.family !== 'contact' && values.agentId !== undefined) tree.AgentID = bare(Number(values.agentId));
  return writeXml(tree as XmlTree);
}

function rowFor(type: string, changeType: string | undefined): Row {
  const row = rows.find((r) => r.type === type && (r.changeType === undefined || r.changeType === changeType));
  if (!row) {
    throw new TypeError(`cannot serialize a "${type}" event${changeType ? ` with changeType "${changeType}"` : ''}: not in the event table`);
  }
  return row;
}

function omitKeys(tree: XmlTree, keys: readonly string[]): XmlTree {
  return Object.fromEntries(Object.entries(tree).filter(([key]) => !keys.includes(key)));
}

/**
 * Callback events as the emulator's users write them (`emu.control.sendCallback`, `POST /_emulator/callbacks`):
 * the SDK's typed events (`@pairview/wecom/callback`, one table for every payload of wecom-protocol.md §6.10)
 * with the header left to the emulator — ToUserName is the CorpID, CreateTime the emulator's clock, AgentID the
 * app's, MsgId a fresh 64-bit id — the way WeCom fills them in.
 */
import { parseCallbackEvent, serializeCallbackXml, toCallbackEvent, type CallbackEventInput, type XmlRecord, type XmlValue } from '@pairview/wecom/callback';
import { ControlError } from '../control/errors.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Header = 'toUserName' | 'createTime' | 'msgId' | 'agentId' | 'raw';

/** A callback event without the header fields WeCom fills in (each may still be given to override it). */
export type CallbackEventRequest = DistributiveOmit<Exclude<CallbackEventInput, { type: 'unknown' }>, Header | 'fromUserName'> & {
  /** The member's userid (contact-sync events: "sys", the default). */
  fromUserName?: string;
  toUserName?: string;
  createTime?: number;
  msgId?: string;
  agentId?: number;
};

/** A request that cannot become a callback; the message says which field to fix. Nothing was sent. */
export class CallbackEventError extends ControlError {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackEventError';
  }
}

export interface EventDefaults {
  corpId: string;
  agentId: number;
  /** Unix seconds. */
  now: () => number;
  /** A fresh MsgId (64-bit, as digits). */
  nextMsgId: () => string;
}

const MESSAGE_TYPES = new Set(['text', 'image', 'voice', 'video', 'location', 'link']);

/**
 * Fills in the header and checks the event against the SDK's table by writing it and reading it back: a field the
 * table requires and the request lacks fails here, with the field's name, instead of reaching the app.
 *
 * Two shapes are accepted: the SDK's typed event (`{"type":"text","fromUserName":"zhangsan","content":"hi"}`) and
 * WeCom's own XML field names (`{"MsgType":"event","Event":"enter_agent","FromUserName":"zhangsan"}`), which also
 * lets a test send an event the SDK's table does not know.
 */
export function completeEvent(request: unknown, defaults: EventDefaults): CallbackEventInput {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new CallbackEventError('a callback event is a JSON object with a "type", e.g. {"type":"text","fromUserName":"zhangsan","content":"hi"}');
  }
  const input = request as Record<string, unknown>;
  if (typeof input.MsgType === 'string') return completeRawEvent(input, defaults);
  if (typeof input.type !== 'string' || input.type === '' || input.type === 'unknown') {
    throw new CallbackEventError('the event needs a "type": text, image, voice, video, location, link, enter_agent, click, view, template_card_event, template_card_menu_event, change_contact, …');
  }
  const contact = input.type === 'change_contact';
  if (contact && typeof input.changeType !== 'string') {
    throw new CallbackEventError('a change_contact event needs a "changeType": create_user, update_user, delete_user, create_party, update_party, delete_party or update_tag');
  }
  if (!contact && (typeof input.fromUserName !== 'string' || input.fromUserName === '')) {
    throw new CallbackEventError(`a ${input.type} event needs "fromUserName": the userid of the member who sent it`);
  }
  const event: Record<string, unknown> = {
    ...input,
    toUserName: typeof input.toUserName === 'string' ? input.toUserName : defaults.corpId,
    fromUserName: typeof input.fromUserName === 'string' ? input.fromUserName : 'sys',
    createTime: typeof input.createTime === 'number' ? input.createTime : defaults.now(),
  };
  // Contact-sync payloads carry no AgentID (§6.10); app messages and events do.
  if (contact) delete event.agentId;
  else event.agentId = typeof input.agentId === 'number' ? input.agentId : defaults.agentId;
  if (MESSAGE_TYPES.has(input.type)) event.msgId = typeof input.msgId === 'string' ? input.msgId : defaults.nextMsgId();
  if (input.type === 'template_card_event' && event.selectedItems === undefined) event.selectedItems = [];
  delete event.raw;

  let xml: string;
  try {
    xml = serializeCallbackXml(event as CallbackEventInput);
  } catch (error) {
    throw new CallbackEventError((error as Error).message);
  }
  const parsed = parseCallbackEvent(xml);
  if (parsed.type === 'unknown') {
    throw new CallbackEventError(
      parsed.problem
        ? `the ${input.type}${contact ? ` (${String(input.changeType)})` : ''} event is incomplete: ${parsed.problem}`
        : `unknown event type "${input.type}"${contact ? ` with changeType "${String(input.changeType)}"` : ''}`,
    );
  }
  return event as CallbackEventInput;
}

/** An event written with WeCom's XML names: header filled in the same way, then typed by the SDK's table. */
function completeRawEvent(input: Record<string, unknown>, defaults: EventDefaults): CallbackEventInput {
  const raw: XmlRecord = {};
  for (const [tag, value] of Object.entries(input)) {
    const converted = toXmlValue(value);
    if (converted === undefined) throw new CallbackEventError(`<${tag}>: use a string, a number or nested objects/arrays of them`);
    raw[tag] = converted;
  }
  const msgType = String(raw.MsgType);
  const contact = msgType === 'event' && raw.Event === 'change_contact';
  raw.ToUserName ??= defaults.corpId;
  raw.FromUserName ??= contact ? 'sys' : '';
  if (raw.FromUserName === '') throw new CallbackEventError('the event needs "FromUserName": the userid of the member who sent it');
  raw.CreateTime ??= String(defaults.now());
  if (!contact) raw.AgentID ??= String(defaults.agentId);
  if (MESSAGE_TYPES.has(msgType)) raw.MsgId ??= defaults.nextMsgId();
  const event = toCallbackEvent(raw);
  if (event.type === 'unknown' && event.problem) {
    throw new CallbackEventError(`the ${msgType}${raw.Event ? `/${String(raw.Event)}` : ''} event is incomplete: ${event.problem}`);
  }
  // A known event is sent as the SDK writes it; an unknown one exactly as given.
  const { raw: _raw, ...typed } = event as CallbackEventInput & { raw?: XmlRecord };
  return event.type === 'unknown' ? event : (typed as CallbackEventInput);
}

function toXmlValue(value: unknown): XmlValue | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(toXmlValue);
    return items.some((i) => i === undefined) ? undefined : (items as XmlValue[]);
  }
  if (value !== null && typeof value === 'object') {
    const record: XmlRecord = {};
    for (const [tag, child] of Object.entries(value)) {
      const converted = toXmlValue(child);
      if (converted === undefined) return undefined;
      record[tag] = converted;
    }
    return record;
  }
  return undefined;
}

/** The member a callback is about (app events) or "sys" (contact sync). */
export function memberOf(event: CallbackEventInput): string {
  return event.type === 'unknown' ? String(event.raw.FromUserName ?? '') : event.fromUserName;
}

/** A one-line label for the delivery log: "text", "template_card_event", "change_contact/update_user". */
export function eventLabel(event: CallbackEventInput): string {
  if (event.type === 'unknown') return `${event.msgType}${event.event ? `/${event.event}` : ''}`;
  return event.type === 'change_contact' ? `change_contact/${event.changeType}` : event.type;
}

import { describe, expect, it } from 'vitest';
import { sampleCallbackEvents } from '../testing/samples.ts';
import { parseCallbackEvent, serializeCallbackXml, type CallbackEventInput } from './events.ts';
import { CallbackRouter } from './router.ts';

const typed = (input: CallbackEventInput) => parseCallbackEvent(serializeCallbackXml(input));
const names = (router: CallbackRouter, input: CallbackEventInput) =>
  router.match(typed(input)).map((m) => (m.handler as unknown as { label: string }).label);
const labelled = (label: string) => Object.assign(() => {}, { label });

describe('CallbackRouter', () => {
  const router = new CallbackRouter()
    .on('text', /^today$/i, labelled('today'))
    .on('text', 'help', labelled('help exact'))
    .on('text', labelled('any text'))
    .on('click', 'TODAY', labelled('click TODAY'))
    .on('template_card_event', /^sub/, labelled('card submit'))
    .on('change_contact', 'update_user', labelled('update_user'))
    .on('change_contact', labelled('any contact'))
    .onAny(labelled('any'));

  it('matches text by pattern in registration order, then type-only and onAny listeners', () => {
    expect(names(router, { ...sampleCallbackEvents.text, content: 'Today' })).toEqual(['today', 'any text', 'any']);
    expect(names(router, { ...sampleCallbackEvents.text, content: 'help' })).toEqual(['help exact', 'any text', 'any']);
    expect(names(router, { ...sampleCallbackEvents.text, content: 'help me' })).toEqual(['any text', 'any']);
  });

  it('matches events on EventKey and contact changes on ChangeType', () => {
    expect(names(router, sampleCallbackEvents.click)).toEqual(['click TODAY', 'any']);
    expect(names(router, { ...sampleCallbackEvents.click, eventKey: 'OTHER' })).toEqual(['any']);
    expect(names(router, sampleCallbackEvents.template_card_event)).toEqual(['card submit', 'any']);
    expect(names(router, sampleCallbackEvents.update_user)).toEqual(['update_user', 'any contact', 'any']);
    expect(names(router, sampleCallbackEvents.delete_user)).toEqual(['any contact', 'any']);
  });

  it('gives the RegExp match to the handler, also for global patterns used twice', () => {
    const r = new CallbackRouter().on('text', /^inter(view)$/g, labelled('g'));
    const event = typed({ ...sampleCallbackEvents.text, content: 'interview' });
    expect(r.match(event)[0]?.match?.[1]).toBe('view');
    expect(r.match(event)[0]?.match?.[1]).toBe('view');
  });

  it('sends unknown events to onAny only', () => {
    const unknown = parseCallbackEvent('<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>scancode_push</Event></xml>');
    expect(router.match(unknown).map((m) => (m.handler as unknown as { label: string }).label)).toEqual(['any']);
  });

  it('refuses registrations that can never match, saying why', () => {
    const r = new CallbackRouter();
    expect(() => r.on('subscribe' as 'text', /x/, () => {})).toThrow(/"subscribe" events have no value to match/);
    expect(() => r.on('text', 42 as unknown as string, () => {})).toThrow(/pattern must be a string or a RegExp/);
    expect(() => r.on('text', /x/, undefined as unknown as () => void)).toThrow(/needs a handler function/);
  });

  it('reports to every onError handler even if one throws', async () => {
    const seen: string[] = [];
    const r = new CallbackRouter()
      .onError(() => {
        throw new Error('broken logger');
      })
      .onError((error) => void seen.push(error.message));
    await r.reportError(new Error('boom'));
    expect(seen).toEqual(['boom']);
  });
});

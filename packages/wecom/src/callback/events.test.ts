import { describe, expect, it } from 'vitest';
import { sampleCallbackEvents } from '../testing/samples.ts';
import { officialCallbackVectors } from '../testing/vectors.ts';
import { callbackEventTable, parseCallbackEvent, serializeCallbackXml, type CallbackEvent } from './events.ts';

describe('typed callback events', () => {
  it('has a sample for every row of the table', () => {
    expect(Object.keys(sampleCallbackEvents).sort()).toEqual(Object.keys(callbackEventTable).sort());
  });

  it.each(Object.entries(sampleCallbackEvents))('round-trips %s through XML', (_key, sample) => {
    const xml = serializeCallbackXml(sample);
    const parsed = parseCallbackEvent(xml);
    const { raw, ...typed } = parsed as CallbackEvent & { raw: unknown };
    expect(typed).toEqual(sample);
    expect(raw).toMatchObject({ ToUserName: sample.toUserName, CreateTime: String(sample.createTime) });
    expect(serializeCallbackXml(parsed)).toBe(xml);
  });

  it('parses the §6.9 text message with MsgId kept as a 64-bit string', () => {
    const event = parseCallbackEvent(officialCallbackVectors.message.plaintext);
    expect(event).toMatchObject({ type: 'text', content: 'hello', msgId: '4561255354251345929', agentId: 218, createTime: 1409659813, fromUserName: 'mycreate' });
  });

  it('parses the §6.10 template_card_event example with its selected items', () => {
    const xml = `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>
      <CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>
      <EventKey><![CDATA[key111]]></EventKey><TaskId><![CDATA[taskid111]]></TaskId><CardType><![CDATA[text_notice]]></CardType>
      <ResponseCode><![CDATA[ResponseCode]]></ResponseCode><AgentID>1</AgentID>
      <SelectedItems><SelectedItem><QuestionKey><![CDATA[QuestionKey1]]></QuestionKey><OptionIds><OptionId><![CDATA[OptionId1]]></OptionId><OptionId><![CDATA[OptionId2]]></OptionId></OptionIds></SelectedItem>
      <SelectedItem><QuestionKey><![CDATA[QuestionKey2]]></QuestionKey><OptionIds><OptionId><![CDATA[OptionId3]]></OptionId></OptionIds></SelectedItem></SelectedItems></xml>`;
    const event = parseCallbackEvent(xml);
    expect(event.type).toBe('template_card_event');
    if (event.type !== 'template_card_event') return;
    expect(event.eventKey).toBe('key111');
    expect(event.taskId).toBe('taskid111');
    expect(event.selectedItems).toEqual([
      { questionKey: 'QuestionKey1', optionIds: ['OptionId1', 'OptionId2'] },
      { questionKey: 'QuestionKey2', optionIds: ['OptionId3'] },
    ]);
  });

  it('splits comma-separated contact lists into arrays and treats absent tag items as empty', () => {
    const event = parseCallbackEvent(
      '<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_tag</ChangeType><TagId>7</TagId><AddUserItems><![CDATA[a,b]]></AddUserItems><DelPartyItems>3,4</DelPartyItems></xml>',
    );
    expect(event).toMatchObject({ type: 'change_contact', changeType: 'update_tag', tagId: 7, addUserItems: ['a', 'b'], delUserItems: [], addPartyItems: [], delPartyItems: [3, 4] });
  });

  it('reports update_user newUserId only when the user id changed', () => {
    const base = '<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_user</ChangeType><UserID>a</UserID>';
    expect(parseCallbackEvent(`${base}<NewUserID>b</NewUserID></xml>`)).toMatchObject({ changeType: 'update_user', userId: 'a', newUserId: 'b' });
    expect(parseCallbackEvent(`${base}</xml>`)).not.toHaveProperty('newUserId');
  });

  it('returns unknown for payloads the table does not know, instead of throwing', () => {
    const xml = '<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>batch_job_result</Event><BatchJob><JobId>j</JobId></BatchJob></xml>';
    const event = parseCallbackEvent(xml);
    expect(event).toEqual({ type: 'unknown', msgType: 'event', event: 'batch_job_result', raw: expect.objectContaining({ BatchJob: { JobId: 'j' } }) });
    expect(parseCallbackEvent(serializeCallbackXml(event))).toEqual(event);
  });

  it('returns unknown with the reason when a known payload misses a required field or has a bad number', () => {
    const missing = parseCallbackEvent('<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>');
    expect(missing).toMatchObject({ type: 'unknown', msgType: 'text', problem: '<Content> is missing' });
    const bad = parseCallbackEvent('<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>soon</CreateTime><MsgType>event</MsgType><Event>click</Event><EventKey>K</EventKey></xml>');
    expect(bad).toMatchObject({ type: 'unknown', problem: '<CreateTime> has an unexpected value' });
  });

  it('keeps the LOCATION event apart from the location message', () => {
    expect(serializeCallbackXml(sampleCallbackEvents.LOCATION)).toContain('<Event><![CDATA[LOCATION]]></Event>');
    expect(parseCallbackEvent(serializeCallbackXml(sampleCallbackEvents.location)).type).toBe('location');
  });
});

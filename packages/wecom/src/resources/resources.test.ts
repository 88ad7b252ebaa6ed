/**
 * The pure parts of the resources: URL builders, signatures, response parsing and request validation. The requests
 * themselves run against the emulator in test/integration.
 */
import { describe, expect, it } from 'vitest';
import { jsapiExample, sendExamples } from '../../test/integration/protocol-examples.ts';
import type { ApiCaller, ApiRequest } from '../http/types.ts';
import { MessageValidationError } from '../messages/checker.ts';
import { buildMediaForm, MEDIA_MAX_BYTES } from './media.ts';
import { buildUpdateTemplateCardBody, parseSendResponse } from './message.ts';
import { createState, OAuthApi, parseIdentity } from './oauth.ts';
import { GroupRobot } from './group-robot.ts';
import { signJsApi } from './jssdk.ts';

/** An ApiCaller that must not be reached: these tests are about what happens before a request. */
const unreachable: ApiCaller = {
  call(request: ApiRequest): never {
    throw new Error(`unexpected request to ${request.path}`);
  },
};

describe('JS-SDK signature (§10)', () => {
  it('reproduces the worked example', () => {
    const { signature } = signJsApi({ ticket: jsapiExample.ticket, url: jsapiExample.url, nonceStr: jsapiExample.noncestr, timestamp: jsapiExample.timestamp });
    expect(signature).toBe(jsapiExample.signature);
  });

  it('reproduces the older WeChat variant of the example (url without query)', () => {
    const { signature } = signJsApi({ ticket: jsapiExample.ticket, url: 'http://mp.weixin.qq.com', nonceStr: jsapiExample.noncestr, timestamp: jsapiExample.timestamp });
    expect(signature).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
  });

  it('signs the url without its #fragment', () => {
    const { signature } = signJsApi({ ticket: jsapiExample.ticket, url: `${jsapiExample.url}#/interview/42`, nonceStr: jsapiExample.noncestr, timestamp: jsapiExample.timestamp });
    expect(signature).toBe(jsapiExample.signature);
  });

  it('refuses a timestamp in milliseconds and a relative url', () => {
    expect(() => signJsApi({ ticket: 't', url: '/page', timestamp: Date.now() })).toThrow(/url must be an http:\/\/ or https:\/\/ URL[\s\S]*timestamp must be whole seconds/);
  });

  it('makes a fresh nonce and a seconds timestamp when none is given', () => {
    const a = signJsApi({ ticket: 't', url: 'https://x.test/' });
    const b = signJsApi({ ticket: 't', url: 'https://x.test/' });
    expect(a.nonceStr).not.toBe(b.nonceStr);
    expect(Math.abs(a.timestamp - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe('OAuth URLs (§7.1, §7.2)', () => {
  const oauth = new OAuthApi(unreachable, { corpId: 'wwCorp', agentId: 1000002 });

  it('builds the in-client authorize URL with agentid and the mandatory #wechat_redirect', () => {
    const url = oauth.authorizeUrl({ redirectUri: 'http://api.3dept.com/cgi-bin/query?action=get', state: 'abc123', scope: 'snsapi_privateinfo' });
    expect(url).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwCorp&redirect_uri=http%3A%2F%2Fapi.3dept.com%2Fcgi-bin%2Fquery%3Faction%3Dget&response_type=code&scope=snsapi_privateinfo&state=abc123&agentid=1000002#wechat_redirect',
    );
  });

  it('builds the web-login URL (login_type CorpApp) on a configurable host', () => {
    const local = new OAuthApi(unreachable, { corpId: 'wwCorp', agentId: 7, loginBaseUrl: 'http://127.0.0.1:4100/', oauthBaseUrl: 'http://127.0.0.1:4100' });
    expect(local.webLoginUrl({ redirectUri: 'https://app.test/cb', state: 's1', lang: 'en' })).toBe(
      'http://127.0.0.1:4100/wwlogin/sso/login?login_type=CorpApp&appid=wwCorp&agentid=7&redirect_uri=https%3A%2F%2Fapp.test%2Fcb&state=s1&lang=en',
    );
    expect(local.authorizeUrl({ redirectUri: 'https://app.test/cb', state: 's1' })).toMatch(/^http:\/\/127\.0\.0\.1:4100\/connect\/oauth2\/authorize\?.*scope=snsapi_base/);
  });

  it('refuses a state outside a-zA-Z0-9 or over 128 bytes, and a relative redirect', () => {
    expect(() => oauth.authorizeUrl({ redirectUri: '/cb', state: 'a-b' })).toThrow(
      'OAuth URL is not valid (2 problems):\n  - redirectUri must be an http:// or https:// URL (got "/cb")\n  - state must be at most 128 characters of a-z, A-Z and 0-9 (use createState())',
    );
    expect(() => oauth.webLoginUrl({ redirectUri: 'https://a.test', state: 'a'.repeat(129) })).toThrow(MessageValidationError);
  });

  it('createState gives distinct values WeCom accepts', () => {
    const states = new Set(Array.from({ length: 100 }, () => createState()));
    expect(states.size).toBe(100);
    for (const s of states) expect(s).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});

describe('getuserinfo parsing (§7.3)', () => {
  it('reads members and outsiders in both casings', () => {
    expect(parseIdentity({ errcode: 0, errmsg: 'ok', userid: 'USERID', user_ticket: 'USER_TICKET' })).toEqual({ kind: 'member', userId: 'USERID', userTicket: 'USER_TICKET' });
    expect(parseIdentity({ errcode: 0, errmsg: 'ok', UserId: 'USERID' })).toEqual({ kind: 'member', userId: 'USERID' });
    expect(parseIdentity({ errcode: 0, errmsg: 'ok', openid: 'OPENID', external_userid: 'EXTERNAL_USERID' })).toEqual({ kind: 'outsider', openId: 'OPENID', externalUserId: 'EXTERNAL_USERID' });
    expect(parseIdentity({ errcode: 0, errmsg: 'ok', OpenId: 'OPENID' })).toEqual({ kind: 'outsider', openId: 'OPENID' });
  });
});

describe('message/send response (§3.1)', () => {
  it('splits the "|" lists into arrays and keeps the response_code', () => {
    expect(
      parseSendResponse({ errcode: 0, errmsg: 'ok', invaliduser: 'userid1|userid2', invalidparty: 'partyid1|partyid2', invalidtag: 'tagid1|tagid2', unlicenseduser: 'userid3|userid4', msgid: 'xxxx', response_code: 'xyzxyz' }),
    ).toEqual({ msgid: 'xxxx', invalidUsers: ['userid1', 'userid2'], invalidParties: ['partyid1', 'partyid2'], invalidTags: ['tagid1', 'tagid2'], unlicensedUsers: ['userid3', 'userid4'], responseCode: 'xyzxyz' });
  });

  it('gives empty arrays when the lists are "" or absent', () => {
    expect(parseSendResponse({ errcode: 0, errmsg: 'ok', invaliduser: '', msgid: 'm' })).toEqual({ msgid: 'm', invalidUsers: [], invalidParties: [], invalidTags: [], unlicensedUsers: [] });
  });
});

describe('update_template_card body (§3.6)', () => {
  it('builds the documented button update', () => {
    expect(buildUpdateTemplateCardBody({ userids: ['userid1', 'userid2'], partyids: [2, 3], tagids: [44, 55], atAll: false, responseCode: 'response_code', button: { replaceName: 'replace_name' } }, 1)).toEqual({
      userids: ['userid1', 'userid2'], partyids: [2, 3], tagids: [44, 55], atall: 0, agentid: 1, response_code: 'response_code', button: { replace_name: 'replace_name' },
    });
  });

  it('builds a whole-card replacement and validates the card', () => {
    const card = sendExamples.text_notice.template_card as never;
    expect(buildUpdateTemplateCardBody({ userids: ['userid1'], responseCode: 'rc', card }, 1)).toEqual({ userids: ['userid1'], agentid: 1, response_code: 'rc', template_card: card });
    expect(() => buildUpdateTemplateCardBody({ userids: ['u'], responseCode: 'rc', card: { card_type: 'text_notice' } as never }, 1)).toThrow(/template_card\.card_action is required/);
  });

  it('needs a response code and exactly one of button or card', () => {
    expect(() => buildUpdateTemplateCardBody({ responseCode: '' } as never, 1)).toThrow(
      'updateTemplateCard is not valid (2 problems):\n' +
        '  - response_code is empty (from the send result or the template_card_event callback)\n' +
        "  - give exactly one of button (replace the clicked button's label) or card (replace the whole card)",
    );
  });
});

describe('media upload form (§3.7)', () => {
  it('puts the file in the multipart field "media" with its filename', () => {
    const form = buildMediaForm('file', { filename: 'notes.txt', data: Buffer.from('hello world'), contentType: 'text/plain' }, MEDIA_MAX_BYTES);
    const media = form.get('media') as File;
    expect(media.name).toBe('notes.txt');
    expect(media.size).toBe(11);
    expect(media.type).toBe('text/plain');
  });

  it('refuses files of 5 bytes or less, over the type limit, and unknown types', () => {
    expect(() => buildMediaForm('image', { filename: 'a.png', data: Buffer.alloc(5) }, MEDIA_MAX_BYTES)).toThrow('the file is 5 bytes; WeCom requires more than 5 bytes');
    expect(() => buildMediaForm('voice', { filename: 'a.amr', data: Buffer.alloc(2 * 1024 * 1024 + 1) }, MEDIA_MAX_BYTES)).toThrow('the file is 2097153 bytes; WeCom allows 2097152 bytes (2 MB) for voice');
    expect(() => buildMediaForm('gif' as never, { filename: 'a.gif', data: Buffer.alloc(10) }, MEDIA_MAX_BYTES)).toThrow('media type "gif" is not one of image, voice, video, file');
  });
});

describe('group robot key', () => {
  it('accepts the bare key or the webhook URL, and never shows the key', () => {
    const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    const a = new GroupRobot(unreachable, key);
    const b = new GroupRobot(unreachable, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`);
    expect(a.quota).toBe(b.quota);
    expect(a.quota).toMatch(/^robot:[0-9a-f]{16}$/);
    expect(JSON.stringify(a)).not.toContain(key);
    expect(() => new GroupRobot(unreachable, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send')).toThrow(/the robot key must be the key= value/);
  });
});

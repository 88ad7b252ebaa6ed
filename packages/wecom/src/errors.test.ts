import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeErrcode,
  errorClassFor,
  errorFromResponse,
  knownErrcodes,
  parseErrmsg,
  WeComError,
  WeComHttpError,
  WeComInvalidInputError,
  WeComNetworkError,
  WeComPermissionError,
  WeComRateLimitError,
  WeComSystemBusyError,
  WeComTokenError,
  WeComTrustedIpError,
} from './errors.ts';

const full = (text: string, code: number, ip = '121.227.209.88') =>
  `${text}, hint: [1653710540075724015410106], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;

describe('parseErrmsg', () => {
  it.each([
    [
      'the current format (§1.7)',
      full('api freq out of limit', 45009),
      {
        text: 'api freq out of limit',
        hint: '1653710540075724015410106',
        ip: '121.227.209.88',
        moreInfo: 'https://open.work.weixin.qq.com/devtool/query?e=45009',
      },
    ],
    ['a bare text without hint', 'invalid access_token', { text: 'invalid access_token' }],
    ['an empty "from ip"', 'invalid credential, hint: [1], from ip: , more info at https://x/q?e=40001', { text: 'invalid credential', hint: '1', ip: '', moreInfo: 'https://x/q?e=40001' }],
    ['the old form without a comma', 'access_token expired hint: [ERAYaa0846vr30!]', { text: 'access_token expired', hint: 'ERAYaa0846vr30!' }],
    ['the old hint id format', 'invalid corpid, hint: [1589708713_50_790b28916c092728bcc8d59b193b1b17]', { text: 'invalid corpid', hint: '1589708713_50_790b28916c092728bcc8d59b193b1b17' }],
    ['a text containing commas', full('user & party & tag all invalid, really', 81013), { text: 'user & party & tag all invalid, really' }],
    ['the malformed-JSON warning on success', 'ok. Warning: wrong json format. ', { text: 'ok. Warning: wrong json format.' }],
    ['an empty errmsg', '', { text: '' }],
  ])('parses %s', (_name, errmsg, expected) => {
    expect(parseErrmsg(errmsg)).toMatchObject(expected);
  });
});

describe('errorFromResponse maps errcodes to classes', () => {
  it.each([
    [-1, WeComSystemBusyError, 'system_busy'],
    [40001, WeComTokenError, 'token'],
    [40014, WeComTokenError, 'token'],
    [42001, WeComTokenError, 'token'],
    [42009, WeComTokenError, 'token'],
    [41001, WeComTokenError, 'token'],
    [40013, WeComTokenError, 'token'],
    [45009, WeComRateLimitError, 'rate_limit'],
    [45033, WeComRateLimitError, 'rate_limit'],
    [60020, WeComTrustedIpError, 'trusted_ip'],
    [48002, WeComPermissionError, 'permission'],
    [60011, WeComPermissionError, 'permission'],
    [301002, WeComPermissionError, 'permission'],
    [40003, WeComInvalidInputError, 'invalid_input'],
    [40008, WeComInvalidInputError, 'invalid_input'],
    [40056, WeComInvalidInputError, 'invalid_input'],
    [40058, WeComInvalidInputError, 'invalid_input'],
    [41033, WeComInvalidInputError, 'invalid_input'],
    [44004, WeComInvalidInputError, 'invalid_input'],
    [45002, WeComInvalidInputError, 'invalid_input'],
    [45008, WeComInvalidInputError, 'invalid_input'],
    [81013, WeComInvalidInputError, 'invalid_input'],
    [82001, WeComInvalidInputError, 'invalid_input'],
    [42027, WeComInvalidInputError, 'invalid_input'],
    [42051, WeComInvalidInputError, 'invalid_input'],
    [60140, WeComInvalidInputError, 'invalid_input'],
    [86003, WeComInvalidInputError, 'invalid_input'],
    [93000, WeComInvalidInputError, 'invalid_input'],
    [6000, WeComError, 'api'],
    [50100, WeComError, 'api'],
    [123456789, WeComError, 'api'],
  ])('errcode %i → %o', (errcode, Class, kind) => {
    const error = errorFromResponse('/cgi-bin/message/send', { errcode, errmsg: full('some text', errcode) });
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(WeComError);
    expect(error.constructor).toBe(Class);
    expect(errorClassFor(errcode)).toBe(Class);
    expect(error.kind).toBe(kind);
    expect(error.name).toBe(Class.name);
  });
});

describe('WeComError', () => {
  it('carries errcode, parsed errmsg, path, the English description and the whole response', () => {
    const response = { errcode: 81013, errmsg: full('user & party & tag all invalid', 81013, '47.92.192.89'), invaliduser: 'zhangmang' };
    const error = errorFromResponse('/cgi-bin/message/send', response);
    expect(error).toMatchObject({
      errcode: 81013,
      errmsg: response.errmsg,
      text: 'user & party & tag all invalid',
      hint: '1653710540075724015410106',
      ip: '47.92.192.89',
      moreInfo: 'https://open.work.weixin.qq.com/devtool/query?e=81013',
      path: '/cgi-bin/message/send',
      description: 'All UserIDs, department IDs and tag IDs are invalid or not permitted',
    });
    expect(error.response.invaliduser).toBe('zhangmang');
    expect(error.message).toBe(
      'errcode 81013: user & party & tag all invalid (All UserIDs, department IDs and tag IDs are invalid or not permitted) on /cgi-bin/message/send',
    );
  });

  it('falls back to the table description when errmsg is empty', () => {
    const error = errorFromResponse('/cgi-bin/user/get', { errcode: 60111, errmsg: '' });
    expect(error.message).toBe('errcode 60111: UserID does not exist on /cgi-bin/user/get');
  });

  it('60020 says which IP WeCom saw, that it must be added to the trusted IPs, and when that takes effect', () => {
    const error = errorFromResponse('/cgi-bin/message/send', { errcode: 60020, errmsg: full('not allow to access from your ip', 60020, '139.215.46.96') });
    expect(error).toBeInstanceOf(WeComTrustedIpError);
    expect(error.message).toContain('from IP 139.215.46.96');
    expect(error.message).toContain("Add 139.215.46.96 to the app's trusted IPs");
    expect(error.message).toContain('about 1 minute after saving');
  });

  it('60020 without an IP still says what to do', () => {
    const error = errorFromResponse('/cgi-bin/user/get', { errcode: 60020, errmsg: 'not allow to access from your ip, hint: [1], from ip: , more info at x' });
    expect(error.message).toContain("this server's public IP");
    expect(error.message).toContain('trusted IPs');
  });

  it('a token error is refreshable only for 40001/40014/42001/42009 outside gettoken', () => {
    const at = (path: string, errcode: number) => errorFromResponse(path, { errcode, errmsg: 'x' }) as WeComTokenError;
    expect(at('/cgi-bin/message/send', 40014).refreshable).toBe(true);
    expect(at('/cgi-bin/message/send', 42001).refreshable).toBe(true);
    expect(at('/cgi-bin/message/send', 40001).refreshable).toBe(true);
    expect(at('/cgi-bin/message/send', 41001).refreshable).toBe(false);
    expect(at('/cgi-bin/gettoken', 40001).refreshable).toBe(false);
  });

  it('a gettoken credential error points at the corpId and secret settings', () => {
    const error = errorFromResponse('/cgi-bin/gettoken', { errcode: 40001, errmsg: full('invalid credential', 40001) });
    expect(error.message).toContain('WECOM_SECRET');
    expect(error.message).toContain('errcode 40001');
  });
});

describe('transport errors', () => {
  it('404 says the path is unknown', () => {
    const error = new WeComHttpError('/cgi-bin/nope', 404);
    expect(error.status).toBe(404);
    expect(error.message).toContain('no such API');
  });

  it('a network error names the path and the socket error code, never the URL', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const error = new WeComNetworkError('/cgi-bin/message/send', { outcomeUnknown: false, cause });
    expect(error.message).toBe('request to /cgi-bin/message/send failed (ECONNREFUSED)');
    expect(error.outcomeUnknown).toBe(false);
    const timeout = new WeComNetworkError('/cgi-bin/message/send', { outcomeUnknown: true, timedOut: true });
    expect(timeout.message).toContain('timed out');
    expect(timeout.message).toContain('may or may not have received it');
  });
});

// The protocol reference lives beside the repository (../shared/docs); the check runs wherever it is present.
const protocolDoc = new URL('../../../../shared/docs/wecom-protocol.md', import.meta.url);

describe('the errcode table', () => {
  it.skipIf(!existsSync(protocolDoc))('has every code of wecom-protocol.md Appendix A with an English description and the Chinese original', () => {
    const doc = readFileSync(protocolDoc, 'utf8');
    const appendix = doc.slice(doc.indexOf('## Appendix A'), doc.indexOf('## Appendix B'));
    const codes = new Set([...appendix.matchAll(/^\| (-?\d+) \| ([^|]*) \|/gm)].map((m) => Number(m[1])));
    expect(codes.size).toBeGreaterThan(400);
    expect(new Set(knownErrcodes())).toEqual(codes);
    for (const code of codes) {
      const info = describeErrcode(code);
      expect(info?.en, `errcode ${code}`).toMatch(/^[\x20-\x7e]+$/);
      expect(info?.zh, `errcode ${code}`).toMatch(/\S/);
    }
  });

  it('describes codes in English and Chinese and knows nothing of unknown codes', () => {
    expect(describeErrcode(45009)).toEqual({ en: 'API call frequency limit exceeded', zh: '接口调用超过限制' });
    expect(describeErrcode(-1)?.en).toContain('System busy');
    expect(describeErrcode(999999)).toBeUndefined();
    expect(knownErrcodes().length).toBeGreaterThan(400);
  });
});

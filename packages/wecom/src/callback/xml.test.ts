import { describe, expect, it } from 'vitest';
import { CallbackCryptoError, CryptoErrorCode } from './crypto.ts';
import { officialCallbackVectors } from '../testing/vectors.ts';
import { sampleCallbackEvents } from '../testing/samples.ts';
import { serializeCallbackXml } from './events.ts';
import { bare, buildEncryptedEnvelope, cdata, children, MAX_XML_LENGTH, parseCallbackXml, parseEncryptedEnvelope, parseFlatXml, parseFullXml, repeat, writeXml } from './xml.ts';

function parseError(xml: string): CallbackCryptoError {
  try {
    parseCallbackXml(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(CallbackCryptoError);
    expect((error as CallbackCryptoError).code).toBe(CryptoErrorCode.ParseXml);
    return error as CallbackCryptoError;
  }
  throw new Error(`expected ${xml} to be refused`);
}

describe('parseCallbackXml', () => {
  it('keeps every value a string, CDATA verbatim and 64-bit ids exact', () => {
    const record = parseCallbackXml(
      '<?xml version="1.0"?><xml><Content><![CDATA[ a &amp; <b> ]]></Content><MsgId>4561255354251345929</MsgId><E><![CDATA[]]></E><F></F><G/></xml>',
    );
    expect(record).toEqual({ Content: ' a &amp; <b> ', MsgId: '4561255354251345929', E: '', F: '', G: '' });
  });

  it('decodes only predefined entities and character references outside CDATA', () => {
    expect(parseCallbackXml('<xml><A>a &amp; b &lt;c&gt; &#20320;&#x597D; &nbsp; &unknown;</A></xml>').A).toBe('a & b <c> 你好 &nbsp; &unknown;');
  });

  it('turns repeated elements into arrays and nested ones into records', () => {
    expect(parseCallbackXml('<xml><S><I>1</I><I>2</I></S><T><I>3</I></T></xml>')).toEqual({ S: { I: ['1', '2'] }, T: { I: '3' } });
  });

  it('refuses a DOCTYPE and entity declarations, so nothing can expand', () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml><A>&lol2;</A></xml>';
    expect(parseError(laughs).message).toMatch(/DOCTYPE/);
    expect(parseError('<xml><!ENTITY x "y"></xml>').message).toMatch(/entity|well-formed/);
  });

  it('refuses malformed XML, other roots and dangerous tag names with a clear message', () => {
    expect(parseError('').message).toMatch(/empty/);
    expect(parseError('<xml><A>unclosed</xml>').message).toMatch(/not well-formed/);
    expect(parseError('<root><A>1</A></root>').message).toMatch(/single <xml> root.*<root>/);
    expect(parseError('<xml><A>1</A></xml><xml><A>2</A></xml>').message).toMatch(/root|well-formed/);
    parseError('<xml><__proto__><polluted>1</polluted></__proto__></xml>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('writeXml', () => {
  it('writes strings in CDATA, numbers bare, and survives "]]>" in text', () => {
    const xml = writeXml({ A: cdata('x]]>y'), B: bare(12), C: children({ D: repeat([cdata('1'), cdata('2')]) }), E: undefined });
    expect(xml).toBe('<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A><B>12</B><C><D><![CDATA[1]]></D><D><![CDATA[2]]></D></C></xml>');
    expect(parseCallbackXml(xml)).toEqual({ A: 'x]]>y', B: '12', C: { D: ['1', '2'] } });
  });
});

describe('encrypted envelope', () => {
  it('round-trips and reports a missing Encrypt', () => {
    const xml = buildEncryptedEnvelope({ toUserName: 'ww1', agentId: '1000002', encrypt: 'abc+/=' });
    expect(parseEncryptedEnvelope(xml)).toEqual({ toUserName: 'ww1', agentId: '1000002', encrypt: 'abc+/=' });
    expect(() => parseEncryptedEnvelope('<xml><ToUserName>ww1</ToUserName></xml>')).toThrow(/no <Encrypt>/);
  });
});

describe('the flat fast path', () => {
  const flatDocuments = [
    '<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[ab+/=]]></Encrypt></xml>',
    '\n<xml>\n  <A><![CDATA[ spaced ]]></A>\n  <B> 12 </B>\n  <C></C><D><![CDATA[]]></D><E><![CDATA[a]b]]c]]></E>\n</xml>\n',
    '<xml><A><![CDATA[line\r\nbreaks\rhere]]></A><B>\r\n text \r\n</B></xml>', // CR LF → LF, as XML parsers do
    '<xml><A>a > b ]]> c</A><B>\u0001\ud800</B></xml>',
  ];
  const fallbackDocuments = [
    '<?xml version="1.0" encoding="utf-8"?><xml><A>1</A></xml>', // declaration
    '\ufeff<xml><A>1</A></xml>', // BOM
    '<xml><A>a &amp; b</A></xml>', // entity
    '<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A></xml>', // split CDATA
    '<xml><A><![CDATA[<!DOCTYPE html>]]></A></xml>', // "<!" in CDATA: the full parser refuses it
    '<xml><S><I>1</I></S></xml>', // nested
    '<xml><I>1</I><I>2</I></xml>', // repeated
    '<xml><A x="1">1</A></xml>', // attribute
    '<xml><G/></xml>', // self-closing
    '<xml><A>1</A></xml><xml><A>2</A></xml>', // trailing content
    '\u00a0<xml><A>1</A></xml>', // whitespace that is not XML's
    '<xml><A>1</A></xml>\u00a0',
    '<xml><hasOwnProperty>1</hasOwnProperty></xml>', // the full parser renames it
    '<xml><constructor>1</constructor></xml>', // the full parser refuses it
  ];

  it.each(flatDocuments)('gives the same record as the full parser: %j', (xml) => {
    const fast = parseFlatXml(xml);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(parseFullXml(xml));
  });

  it.each(fallbackDocuments)('leaves anything else to the full parser: %j', (xml) => {
    expect(parseFlatXml(xml)).toBeUndefined();
  });

  it('does not accept a __proto__ element on the fast path either', () => {
    expect(parseFlatXml('<xml><__proto__>1</__proto__></xml>')).toBeUndefined();
  });

  it('takes every flat sample payload and envelope (the fast path is the common one)', () => {
    expect(parseFlatXml(serializeCallbackXml(sampleCallbackEvents.text))).toBeDefined();
    expect(parseFlatXml(serializeCallbackXml(sampleCallbackEvents.click))).toBeDefined();
    expect(parseFlatXml(officialCallbackVectors.message.plaintext)).toBeDefined();
    expect(parseFlatXml(officialCallbackVectors.message.body)).toBeDefined();
  });
});

describe('refusals shared by both paths', () => {
  it('refuses a document that mentions <!DOCTYPE or <!ENTITY anywhere, even in CDATA', () => {
    expect(parseError('<xml><Content><![CDATA[<!doctype html>]]></Content></xml>').message).toMatch(/DOCTYPE/);
    expect(parseError('<xml><Content><![CDATA[<!ENTITY x "y">]]></Content></xml>').message).toMatch(/entity/);
  });

  it(`refuses XML longer than ${MAX_XML_LENGTH} characters and more than 16 levels below the root`, () => {
    expect(parseError(`<xml><A>${'x'.repeat(MAX_XML_LENGTH)}</A></xml>`).message).toMatch(/characters/);
    const nested = (depth: number) => `<xml>${'<a>'.repeat(depth)}1${'</a>'.repeat(depth)}</xml>`;
    expect(() => parseCallbackXml(nested(16))).not.toThrow();
    expect(parseError(nested(17)).message).toMatch(/nested/i);
  });
});

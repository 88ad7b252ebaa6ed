/**
 * The flat reader (parseFlatXml) against the full parser (parseFullXml, fast-xml-parser): a differential,
 * property-based test (fast-check). For every generated document, parseCallbackXml — the flat reader with the full
 * parser behind it — gives the same outcome as the full parser alone: the same record when it accepts, a refusal
 * (CallbackCryptoError ParseXml) when the full parser refuses. Whenever the flat reader answers by itself, the full
 * parser accepts the document with the same record. Any other exception, from either, fails the test.
 *
 * Inputs: valid WeCom plaintexts and envelopes of every kind we parse with hostile field values (CDATA "]]>"
 * splits, `<!DOCTYPE` in text, control characters, lone surrogates…), random flat XML assembled from WeCom-like and
 * off-by-one tokens (attributes, whitespace and BOMs, comments and PIs, entities, self-closing, nested, repeated and
 * unsafely named elements, mismatched closing tags, trailing content), DOCTYPE/ENTITY attempts, deep nesting,
 * oversize documents, bytes that are not UTF-8 decoded as the receiver decodes a body, and character soup.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleCallbackEvents } from '../testing/samples.ts';
import { CallbackCryptoError, CryptoErrorCode } from './crypto.ts';
import { serializeCallbackXml, type CallbackEventInput } from './events.ts';
import { buildEncryptedEnvelope, MAX_XML_LENGTH, parseCallbackXml, parseFlatXml, parseFullXml, type XmlRecord } from './xml.ts';

type Outcome = { accepted: XmlRecord } | { refused: 'ParseXml' };

function outcomeOf(parse: (xml: string) => XmlRecord, xml: string): Outcome {
  try {
    return { accepted: parse(xml) };
  } catch (error) {
    // Refusals are compared by category; anything but a ParseXml refusal is a bug in that parser.
    if (error instanceof CallbackCryptoError && error.code === CryptoErrorCode.ParseXml) return { refused: 'ParseXml' };
    throw error;
  }
}

let flatAnswers = 0;
let fullAnswers = 0;

/** The property itself: same outcome, and the flat reader never answers what the full parser would not. */
function assertSameAsFullParser(xml: string): void {
  const expected = outcomeOf(parseFullXml, xml);
  expect(outcomeOf(parseCallbackXml, xml)).toStrictEqual(expected);
  const flat = xml.length <= MAX_XML_LENGTH ? parseFlatXml(xml) : undefined;
  if (flat !== undefined) {
    flatAnswers += 1;
    expect(expected).toStrictEqual({ accepted: flat });
  } else {
    fullAnswers += 1;
  }
}

const property = (arbitrary: fc.Arbitrary<string>, numRuns: number) => fc.assert(fc.property(arbitrary, assertSameAsFullParser), { numRuns });

// ---- building blocks -----------------------------------------------------------------------------------------

/** Text a member could send, and text written to break parsers. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc
    .array(
      fc.constantFrom(']]>', ']]', ']', '>', '<', '&', '&amp;', '&lt;', '&#x41;', '&#0;', '&bogus;', '<!DOCTYPE x>', '<!ENTITY e "x">', '<![CDATA[', '<!--', '-->', '<?pi?>', '</xml>', '<xml>', ' ', '\t', '\r\n', '\n', '\u00a0', '\ufeff', '\u2028', '\u0000', '\u0001', '\ud800', '\udfff', '\ufffd', '你好', '😀', 'a', 'B'),
      { maxLength: 8 },
    )
    .map((parts) => parts.join('')),
);

/** Fills every string and number of a sample event with generated ones, keeping its shape (and so its kind). */
function withValues(sample: unknown, texts: readonly string[], numbers: readonly number[]): unknown {
  let t = 0;
  let n = 0;
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (key === 'type' || key === 'changeType') return value;
    if (typeof value === 'string') return texts[t++ % texts.length];
    if (typeof value === 'number') return numbers[n++ % numbers.length];
    if (Array.isArray(value)) return value.map((item) => walk(item, undefined));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return walk(sample, undefined);
}

const samples = Object.values(sampleCallbackEvents) as CallbackEventInput[];

/** Valid WeCom plaintext of every kind in the event table, as WeCom writes it, with generated values. */
const wecomPlaintext = fc
  .tuple(fc.constantFrom(...samples), fc.array(hostileText, { minLength: 1, maxLength: 12 }), fc.array(fc.integer(), { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([sample, texts, numbers, keepValues]) => serializeCallbackXml((keepValues ? sample : withValues(sample, texts, numbers)) as CallbackEventInput));

/** The POST envelope (§6.3), with WeCom's layout or the §6.10 examples' line breaks and indentation. */
const wecomEnvelope = fc
  .tuple(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='), maxLength: 80 }), fc.option(fc.stringMatching(/^\d{1,10}$/)), hostileText)
  .map(([encrypt, agentId, toUserName]) => buildEncryptedEnvelope({ toUserName, encrypt, ...(agentId !== null ? { agentId } : {}) }));

const indented = (xml: string, indent: string) => xml.replaceAll('><', `>${indent}<`);

/** Mostly what WeCom writes (`usual`), sometimes one of the `unusual` tokens: so most documents reach the flat reader. */
const mostly = <T,>(usual: readonly T[], unusual: readonly T[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.constantFrom(...unusual) });

const space = mostly(['', ' ', '\n', '\r\n', '\t', '\n   '], ['\u00a0', '\ufeff', '\u2028', '\u000b', '\u3000']);
const names = mostly(
  ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content', 'MsgId', 'AgentID', 'Encrypt', 'Location_X', 'a.b-c', '_x', 'X1', 'xml', 'A', 'a'],
  ['constructor', '__proto__', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'isPrototypeOf', '1A', '-A', 'A:B', 'ns:Content', 'Ä', '名字', ''],
);

/** One element, mostly as WeCom writes it, sometimes off in one of the ways a parser must notice. */
const element = fc
  .tuple(names, hostileText, mostly(['cdata', 'text', 'empty'], ['split', 'selfClosing', 'attribute', 'spaceInTag', 'nested', 'repeated', 'mismatch', 'mixed', 'comment', 'pi', 'unclosed']), names)
  .map(([name, text, shape, other]) => {
    const cdata = `<![CDATA[${text}]]>`;
    switch (shape) {
      case 'cdata':
        return `<${name}>${cdata}</${name}>`;
      case 'text':
        return `<${name}>${text}</${name}>`;
      case 'empty':
        return `<${name}></${name}>`;
      case 'split':
        return `<${name}><![CDATA[${text}]]]]><![CDATA[>${text}]]></${name}>`;
      case 'selfClosing':
        return `<${name}/>`;
      case 'attribute':
        return `<${name} id="${text.replaceAll('"', '')}">${cdata}</${name}>`;
      case 'spaceInTag':
        return `<${name} >${cdata}</${name} >`;
      case 'nested':
        return `<${name}><${other}>${cdata}</${other}></${name}>`;
      case 'repeated':
        return `<${name}>${cdata}</${name}><${name}>${text}</${name}>`;
      case 'mismatch':
        return `<${name}>${cdata}</${name.toLowerCase() === name ? name.toUpperCase() : name.toLowerCase()}>`;
      case 'mixed':
        return `<${name}>${text}${cdata}${text}</${name}>`;
      case 'comment':
        return `<!--${text.replaceAll('--', '')}--><${name}>${cdata}</${name}>`;
      case 'pi':
        return `<?pi ${text.replaceAll('?>', '')}?><${name}>${cdata}</${name}>`;
      default:
        return `<${name}>${cdata}`;
    }
  });

const prolog = mostly([''], ['<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>\n', '\ufeff', '\ufeff<?xml version="1.0"?>', '<!-- c -->', '<?pi?>']);
const root = mostly([['<xml>', '</xml>']], [['<xml >', '</xml>'], ['<XML>', '</XML>'], ['<root>', '</root>'], ['<xml a="1">', '</xml>'], ['<xml>', '</xml >'], ['<xml>', ''], ['<xml/>', ''], ['<xmls>', '</xmls>'], ['<xml/', '</xml>']]);
const epilog = mostly(['', '\n', '  \n'], ['\u00a0', 'x', '<xml></xml>', '<!-- c -->', '<A>1</A>']);

/** Flat documents, most of them well-formed WeCom XML, with every token sometimes replaced by a hostile one. */
const randomFlatXml = fc
  .tuple(prolog, space, root, fc.array(fc.tuple(space, element), { maxLength: 6 }), space, epilog)
  .map(([head, lead, [open, close], elements, trail, tail]) => `${head}${lead}${open}${elements.map(([s, e]) => s + e).join('')}${trail}${close}${tail}`);

/**
 * Only the shapes WeCom writes, with clean values, so that the flat reader answers most of them (the comparison
 * must not be vacuous) — but with names it must leave alone (repeated, or unsafe as JavaScript properties).
 */
const wellFormedFlatXml = fc
  .array(fc.tuple(fc.constantFrom('', '\n', '\r\n  ', '\t'), names, hostileText, fc.boolean()), { maxLength: 8 })
  .map((fields) => {
    const body = fields
      .map(([s, name, text, asCdata]) => `${s}<${name}>${asCdata ? `<![CDATA[${text.replaceAll(']]>', '').replaceAll('<!', '')}]]>` : text.replaceAll(/[<&]/g, '')}</${name}>`)
      .join('');
    return `<xml>${body}\n</xml>`;
  });

const doctypeAttempts = fc
  .tuple(
    fc.constantFrom(
      '<!DOCTYPE xml>',
      '<!doctype xml>',
      '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
      '<!DOCTYPE xml SYSTEM "file:///etc/passwd">',
      '<!DOCTYPE xml [<!ENTITY x SYSTEM "http://127.0.0.1:9/">]>',
      '<!ENTITY x "y">',
      '<!eNtItY % p "y">',
    ),
    fc.constantFrom('before', 'inside', 'inCdata', 'inComment'),
    fc.constantFrom('&a;', '&b;', '&x;', 'plain'),
  )
  .map(([declaration, where, reference]) => {
    const content = `<Content>${reference}</Content>`;
    if (where === 'before') return `${declaration}<xml>${content}</xml>`;
    if (where === 'inside') return `<xml>${declaration}${content}</xml>`;
    if (where === 'inComment') return `<!-- ${declaration} --><xml>${content}</xml>`;
    return `<xml><Content><![CDATA[${declaration}]]></Content></xml>`;
  });

const deepNesting = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('a', 'Item', 'SelectedItem'), hostileText).map(([depth, tag, text]) => {
  return `<xml>${`<${tag}>`.repeat(depth)}<![CDATA[${text}]]>${`</${tag}>`.repeat(depth)}</xml>`;
});

/** Bytes that need not be UTF-8, decoded as decryptCallback decodes a Buffer body (invalid sequences → U+FFFD). */
const decodedBytes = fc
  .tuple(fc.uint8Array({ maxLength: 24 }), fc.boolean())
  .map(([bytes, asContent]) => {
    const text = Buffer.from(bytes).toString('utf8');
    return asContent ? Buffer.concat([Buffer.from('<xml><Content><![CDATA['), Buffer.from(bytes), Buffer.from(']]></Content></xml>')]).toString('utf8') : text;
  });

const soup = fc.string({ unit: fc.constantFrom(...'<>/!?[]-=&;#"\' \nxmlACDTAxml'.split(''), '<xml>', '</xml>', '<![CDATA[', ']]>', '<A>', '</A>'), maxLength: 60 });

// ---- the properties -------------------------------------------------------------------------------------------

describe('parseFlatXml and the full parser: the same records, the same refusals', () => {
  it('on valid WeCom plaintexts of every kind, with hostile values', () => property(wecomPlaintext, 1500));
  it('on WeCom envelopes, as sent and indented', () => property(fc.tuple(wecomEnvelope, fc.constantFrom('', '\n', '\n   ')).map(([xml, indent]) => indented(xml, indent)), 500));
  it('on well-formed flat XML', () => property(wellFormedFlatXml, 1000));
  it('on random flat XML with hostile tokens', () => property(randomFlatXml, 3000));
  it('on DOCTYPE and ENTITY attempts', () => property(doctypeAttempts, 300));
  it('on deep nesting', () => property(deepNesting, 200));
  it('on bytes that are not UTF-8, and a BOM', () => property(fc.tuple(decodedBytes, fc.constantFrom('', '\ufeff')).map(([text, bom]) => bom + text), 500));
  it('on character soup', () => property(soup, 3000));

  it('on documents over the length cap, and just under it', () => {
    const flat = (length: number) => {
      const head = '<xml><Content><![CDATA[';
      const foot = ']]></Content></xml>';
      return `${head}${'x'.repeat(length - head.length - foot.length)}${foot}`;
    };
    for (const length of [MAX_XML_LENGTH, MAX_XML_LENGTH + 1]) assertSameAsFullParser(flat(length));
    expect(outcomeOf(parseCallbackXml, flat(MAX_XML_LENGTH))).toHaveProperty('accepted');
    expect(outcomeOf(parseCallbackXml, flat(MAX_XML_LENGTH + 1))).toStrictEqual({ refused: 'ParseXml' });
    expect(outcomeOf(parseCallbackXml, `<xml>${'<A>1</A>'.repeat(MAX_XML_LENGTH / 8)}</xml>`)).toStrictEqual({ refused: 'ParseXml' });
  });

  it('exercised both paths (the comparison was not vacuous)', () => {
    expect(flatAnswers).toBeGreaterThan(1000);
    expect(fullAnswers).toBeGreaterThan(1000);
  });
});

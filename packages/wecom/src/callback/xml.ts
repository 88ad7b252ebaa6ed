/**
 * Callback XML, both directions: a safe parser for what WeCom sends (the encrypted envelope, §6.3, and the
 * decrypted payload, §6.10) and a writer that produces XML the way WeCom does (strings in CDATA, numbers bare).
 * Pure functions, no I/O.
 *
 * Safety: fast-xml-parser with entity processing off, so nothing is ever expanded; a DOCTYPE is refused before
 * parsing (no internal subset, no entity declarations, no billion laughs); attributes are ignored (WeCom uses
 * none); depth and length are capped. The flat reader in front of it (parseFlatXml) only takes what it can prove
 * the full parser reads the same way. Only the five predefined XML entities and numeric character references are decoded, and
 * only in text outside CDATA — they cannot expand. Every value stays a string here; the typed mapper (events.ts)
 * converts numbers, keeping 64-bit ids like MsgId as strings.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CallbackCryptoError, CryptoErrorCode } from './crypto.ts';

/** A parsed XML element: text, or child elements by tag (a repeated tag becomes an array). */
export type XmlValue = string | XmlRecord | XmlValue[];
export interface XmlRecord {
  [tag: string]: XmlValue;
}

const CDATA = '#cdata';
const TEXT = '#text';

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: CDATA,
  textNodeName: TEXT,
  maxNestedTags: 16,
});

/** No WeCom payload comes near this (a long text is 2 KiB, §3.2); the receiver caps the body at 64 KiB anyway. */
export const MAX_XML_LENGTH = 1024 * 1024;

/**
 * Parses callback XML into the record under its `<xml>` root. Throws CallbackCryptoError(ParseXml) on anything
 * that is not well-formed XML with a single `<xml>` root, that carries a DOCTYPE or an entity declaration, that
 * nests more than 16 elements below the root, or that is longer than MAX_XML_LENGTH characters.
 *
 * What WeCom sends almost always is flat (the envelope, messages, most events): parseFlatXml reads that in one
 * pass; anything else goes to the full parser (parseFullXml). The two give the same record and refuse the same
 * documents — xml.property.test.ts checks it on generated and hostile input.
 */
export function parseCallbackXml(xml: string): XmlRecord {
  checkDocument(xml);
  return parseFlatXml(xml) ?? parseFullXml(xml);
}

/** The full parser alone (fast-xml-parser, after the same document checks): the reference parseFlatXml must equal. */
export function parseFullXml(xml: string): XmlRecord {
  checkDocument(xml);
  if (/<!DOCTYPE/i.test(xml)) throw xmlError('the XML contains a DOCTYPE, which WeCom never sends; refused');
  if (/<!ENTITY/i.test(xml)) throw xmlError('the XML declares an entity, which WeCom never sends; refused');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw xmlError(`the XML is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch (error) {
    throw xmlError(`the XML could not be parsed: ${(error as Error).message}`);
  }
  const roots = document !== null && typeof document === 'object' ? Object.keys(document) : [];
  if (roots.length !== 1 || roots[0] !== 'xml') {
    throw xmlError(`expected a single <xml> root element, found ${roots.length === 0 ? 'none' : roots.map((r) => `<${r}>`).join(', ')}`);
  }
  const root = normalize((document as Record<string, unknown>).xml);
  return typeof root === 'string' ? {} : Array.isArray(root) ? {} : root;
}

function checkDocument(xml: string): void {
  if (typeof xml !== 'string' || xml.trim() === '') throw xmlError('the body is empty; expected WeCom callback XML');
  if (xml.length > MAX_XML_LENGTH) throw xmlError(`the XML is ${xml.length} characters; callback XML is refused above ${MAX_XML_LENGTH}`);
}

/** Names the full parser refuses or renames (fast-xml-parser's prototype-pollution guard): left to it. */
const UNSAFE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /

/**
 * Reads exactly the shape WeCom writes: `<xml>`, then elements that each hold one CDATA section or plain text
 * (trimmed, as the full parser trims it), then `</xml>`, with only XML whitespace (space, tab, CR, LF) around them.
 * Returns undefined — "not mine, ask the full parser" — for anything else: a declaration, a comment, a PI, a
 * DOCTYPE, an attribute, an entity or character reference (`&`), a nested, repeated, self-closing or unsafely
 * named element, text around a CDATA section, a second CDATA section (a split "]]>"), `<!` inside CDATA (the full
 * parser refuses a document that mentions `<!DOCTYPE` or `<!ENTITY` anywhere), a BOM, or trailing content.
 * So whatever it returns is what the full parser returns for the same text, and everything it cannot vouch for is
 * refused or accepted by the full parser alone.
 */
export function parseFlatXml(xml: string): XmlRecord | undefined {
  let i = skipSpace(xml, 0);
  if (!xml.startsWith('<xml>', i)) return undefined;
  i += 5;
  const record: XmlRecord = {};
  for (;;) {
    i = skipSpace(xml, i);
    if (xml.startsWith('</xml>', i)) return skipSpace(xml, i + 6) === xml.length ? record : undefined;
    // <Name>
    if (xml.charCodeAt(i) !== LT) return undefined;
    const nameEnd = scanName(xml, i + 1);
    if (nameEnd === i + 1 || xml.charCodeAt(nameEnd) !== GT) return undefined;
    const name = tagName(xml, i + 1, nameEnd);
    if (UNSAFE_NAMES.has(name) || Object.hasOwn(record, name)) return undefined;
    i = nameEnd + 1;
    let value: string;
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) return undefined;
      value = xml.slice(i + 9, end);
      if (value.includes('<!')) return undefined;
      value = normalizeNewlines(value);
      i = end + 3;
    } else {
      const end = xml.indexOf('<', i);
      if (end === -1) return undefined;
      value = xml.slice(i, end);
      if (value.includes('&')) return undefined;
      value = normalizeNewlines(value).trim();
      i = end;
    }
    // </Name>
    if (xml.charCodeAt(i) !== LT || xml.charCodeAt(i + 1) !== SLASH || !xml.startsWith(name, i + 2) || xml.charCodeAt(i + 2 + name.length) !== GT) {
      return undefined;
    }
    i += name.length + 3;
    record[name] = value;
  }
}

/** XML's end-of-line handling (XML 1.0 §2.11), which the full parser applies to the whole document: CR LF and CR → LF. */
function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/**
 * The tags of the envelope (§6.3) and of every payload's header (§6.10), by length. A name found here is returned
 * as this constant instead of a new slice, which spares the string-table lookup V8 does before it can use a fresh
 * string as a property key; other names are sliced as usual.
 */
const COMMON_TAGS = new Map<number, string[]>();
for (const tag of ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'MsgId', 'AgentID', 'Encrypt', 'Content', 'Event', 'EventKey', 'ChangeType', 'UserID', 'TaskId', 'CardType', 'ResponseCode']) {
  COMMON_TAGS.set(tag.length, [...(COMMON_TAGS.get(tag.length) ?? []), tag]);
}

function tagName(xml: string, start: number, end: number): string {
  const candidates = COMMON_TAGS.get(end - start);
  if (candidates !== undefined) for (const tag of candidates) if (xml.startsWith(tag, start)) return tag;
  return xml.slice(start, end);
}

function skipSpace(xml: string, i: number): number {
  for (;;) {
    const c = xml.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

/** [A-Za-z_][A-Za-z0-9_.-]*: WeCom's tag names (ToUserName, Location_X…); returns where the name ends. */
function scanName(xml: string, i: number): number {
  const first = xml.charCodeAt(i);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a) || first === 0x5f)) return i;
  for (i++; ; i++) {
    const c = xml.charCodeAt(i);
    const isNameChar = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;
    if (!isNameChar) return i;
  }
}

/** The outer POST body (§6.3): the ciphertext and who it is for. */
export interface EncryptedEnvelope {
  /** CorpID (suite_id for third-party suites). */
  readonly toUserName: string;
  /** Present on app callbacks, absent on contact-sync callbacks. */
  readonly agentId?: string;
  /** Base64 ciphertext; also the fourth element of the signature (§6.4). */
  readonly encrypt: string;
}

/** Parses the encrypted POST envelope. Throws CallbackCryptoError(ParseXml) when `Encrypt` is missing or empty. */
export function parseEncryptedEnvelope(xml: string): EncryptedEnvelope {
  const record = parseCallbackXml(xml);
  const encrypt = textOf(record.Encrypt);
  if (!encrypt) throw xmlError('the callback body has no <Encrypt> element; is the app set to encrypted mode?');
  const agentId = textOf(record.AgentID);
  return {
    toUserName: textOf(record.ToUserName) ?? '',
    ...(agentId ? { agentId } : {}),
    encrypt,
  };
}

/** Builds the encrypted POST envelope as WeCom sends it (§6.3). */
export function buildEncryptedEnvelope(envelope: EncryptedEnvelope): string {
  return writeXml({
    ToUserName: cdata(envelope.toUserName),
    ...(envelope.agentId !== undefined ? { AgentID: cdata(envelope.agentId) } : {}),
    Encrypt: cdata(envelope.encrypt),
  });
}

/** The passive-reply envelope (§6.6): our ciphertext plus our own signature, timestamp and nonce. */
export interface ReplyEnvelope {
  readonly encrypt: string;
  readonly msgSignature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

export function buildReplyEnvelope(envelope: ReplyEnvelope): string {
  return writeXml({
    Encrypt: cdata(envelope.encrypt),
    MsgSignature: cdata(envelope.msgSignature),
    TimeStamp: bare(envelope.timestamp),
    Nonce: cdata(envelope.nonce),
  });
}

export function parseReplyEnvelope(xml: string): ReplyEnvelope {
  const record = parseCallbackXml(xml);
  const field = (tag: string): string => {
    const value = textOf(record[tag]);
    if (!value) throw xmlError(`the passive reply has no <${tag}> element`);
    return value;
  };
  return { encrypt: field('Encrypt'), msgSignature: field('MsgSignature'), timestamp: field('TimeStamp'), nonce: field('Nonce') };
}

/** The text of an element, or undefined when it is absent or has children. */
export function textOf(value: XmlValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A repeated element as an array (fast-xml-parser returns a single child as itself). */
export function listOf(value: XmlValue | undefined): XmlValue[] {
  return value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];
}

// ---- writing ------------------------------------------------------------------------------------------------

/** A node for the writer: a string in CDATA, a bare value (numbers), children, or a repeated element. */
export type XmlNode =
  | { readonly cdata: string }
  | { readonly bare: string }
  | { readonly children: XmlTree }
  | { readonly repeat: readonly XmlNode[] };
export type XmlTree = { readonly [tag: string]: XmlNode | undefined };

export const cdata = (text: string): XmlNode => ({ cdata: text });
export const bare = (text: string | number): XmlNode => ({ bare: String(text) });
export const children = (tree: XmlTree): XmlNode => ({ children: tree });
export const repeat = (nodes: readonly XmlNode[]): XmlNode => ({ repeat: nodes });

/** Writes `<xml>…</xml>` on one line, in key order, skipping undefined nodes. */
export function writeXml(tree: XmlTree): string {
  return `<xml>${writeTree(tree)}</xml>`;
}

/**
 * Turns a parsed record back into a writer tree: every text in CDATA unless it is all digits (how WeCom writes
 * CreateTime, AgentID, MsgId). Used for events the typed table does not know.
 */
export function treeFromRecord(record: XmlRecord): XmlTree {
  const tree: Record<string, XmlNode> = {};
  for (const [tag, value] of Object.entries(record)) tree[tag] = nodeFromValue(value);
  return tree;
}

function nodeFromValue(value: XmlValue): XmlNode {
  if (typeof value === 'string') return /^-?\d+$/.test(value) ? bare(value) : cdata(value);
  if (Array.isArray(value)) return repeat(value.map(nodeFromValue));
  return children(treeFromRecord(value));
}

function writeTree(tree: XmlTree): string {
  let out = '';
  for (const [tag, node] of Object.entries(tree)) {
    if (node !== undefined) out += writeNode(tag, node);
  }
  return out;
}

function writeNode(tag: string, node: XmlNode): string {
  if ('repeat' in node) return node.repeat.map((item) => writeNode(tag, item)).join('');
  if ('children' in node) return `<${tag}>${writeTree(node.children)}</${tag}>`;
  if ('bare' in node) return `<${tag}>${escapeText(node.bare)}</${tag}>`;
  // A "]]>" inside CDATA would end it early: split it across two sections, the standard way.
  return `<${tag}><![CDATA[${node.cdata.replaceAll(']]>', ']]]]><![CDATA[>')}]]></${tag}>`;
}

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

// ---- normalizing fast-xml-parser's output -------------------------------------------------------------------

function normalize(value: unknown): XmlValue {
  if (typeof value === 'string') return decodeText(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return String(value ?? '');
  const entries = Object.entries(value as Record<string, unknown>);
  // An element with only text and/or CDATA (`<A><![CDATA[x]]></A>`) is its text.
  if (entries.length > 0 && entries.every(([key]) => key === CDATA || key === TEXT)) {
    const record = value as Record<string, unknown>;
    return textPart(record[TEXT], decodeText) + textPart(record[CDATA], (s) => s);
  }
  const record: XmlRecord = {};
  for (const [key, child] of entries) {
    if (key === CDATA || key === TEXT) continue; // mixed content: WeCom never sends it
    record[key] = normalize(child);
  }
  return record;
}

function textPart(part: unknown, decode: (s: string) => string): string {
  if (part === undefined) return '';
  if (Array.isArray(part)) return part.map((p) => textPart(p, decode)).join('');
  return decode(String(part));
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes only the predefined entities and character references; anything else stays as written. */
function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g, (whole, dec, hex, name) => {
    if (name) return PREDEFINED[name]!;
    const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

function xmlError(message: string): CallbackCryptoError {
  return new CallbackCryptoError(CryptoErrorCode.ParseXml, message);
}

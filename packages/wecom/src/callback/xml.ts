/**
 * Callback XML, both directions: a safe parser for what WeCom sends (the encrypted envelope, §6.3, and the
 * decrypted payload, §6.10) and a writer that produces XML the way WeCom does (strings in CDATA, numbers bare).
 * Pure functions, no I/O.
 *
 * Safety: fast-xml-parser with entity processing off, so nothing is ever expanded; a DOCTYPE is refused before
 * parsing (no internal subset, no entity declarations, no billion laughs); attributes are ignored (WeCom uses
 * none); depth is capped. Only the five predefined XML entities and numeric character references are decoded, and
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

/**
 * Parses callback XML into the record under its `<xml>` root. Throws CallbackCryptoError(ParseXml) on anything
 * that is not well-formed XML with a single `<xml>` root, or that carries a DOCTYPE.
 */
export function parseCallbackXml(xml: string): XmlRecord {
  if (typeof xml !== 'string' || xml.trim() === '') throw xmlError('the body is empty; expected WeCom callback XML');
  const flat = parseFlatXml(xml);
  if (flat !== undefined) return flat;
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

/**
 * The fast path for what WeCom sends almost always: `<xml>` with one level of leaf elements, each holding CDATA or
 * plain text (the envelope, messages, most events). It accepts only that exact shape — no entities, no `<!`
 * other than CDATA, no attributes, no repeated or nested elements — and returns undefined for anything else,
 * which then goes through the full parser. Both paths give the same record (a test compares them).
 */
const FLAT_ROOT = /^\s*(?:<\?xml[^?>]*\?>\s*)?<xml>/y;
const FLAT_ELEMENT = /\s*<([A-Za-z_][\w.-]*)>(?:<!\[CDATA\[((?:[^\]]|\](?!\]>))*)\]\]>|([^<&]*))<\/\1>/y;
const FLAT_END = /\s*<\/xml>\s*$/y;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export function parseFlatXml(xml: string): XmlRecord | undefined {
  FLAT_ROOT.lastIndex = 0;
  if (!FLAT_ROOT.test(xml)) return undefined;
  let position = FLAT_ROOT.lastIndex;
  const record: XmlRecord = {};
  for (;;) {
    FLAT_ELEMENT.lastIndex = position;
    const match = FLAT_ELEMENT.exec(xml);
    if (match === null) break;
    const tag = match[1]!;
    if (RESERVED.has(tag) || Object.hasOwn(record, tag)) return undefined;
    record[tag] = match[2] !== undefined ? match[2] : match[3]!.trim();
    position = FLAT_ELEMENT.lastIndex;
  }
  FLAT_END.lastIndex = position;
  return FLAT_END.test(xml) ? record : undefined;
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

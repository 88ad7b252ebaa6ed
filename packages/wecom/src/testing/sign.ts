/**
 * Build callbacks exactly the way WeCom does (wecom-protocol.md §6.2–6.5): for users' tests of their receivers,
 * and for the emulator, which delivers callbacks to apps with these. Like stripe-node's
 * `generateTestHeaderString`, but for a whole request.
 */
import { assertCallbackCredentials, computeSignature, encryptMessage, type CallbackCredentials } from '../callback/crypto.ts';
import { serializeCallbackXml, type CallbackEventInput } from '../callback/events.ts';
import { randomNonce } from '../callback/reply.ts';
import { buildEncryptedEnvelope } from '../callback/xml.ts';

export interface SignOptions {
  /** Unix seconds as WeCom sends them; default now. */
  timestamp?: string | number;
  /** Default a random decimal string, like WeCom's. */
  nonce?: string | number;
  /** The 16-byte plaintext prefix (§6.5); default random. Fix it only to compare bytes with a known vector. */
  random?: Buffer;
}

/** The callback's query parameters (§6.3), before URL encoding. */
export interface SignedCallbackQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

export interface SignedCallback {
  query: SignedCallbackQuery;
  /** The query URL-encoded, without `?`: append to the callback path. */
  search: string;
  /** The POST body: the encrypted envelope XML (§6.3). */
  body: string;
  /** The plaintext XML that was encrypted. */
  plaintext: string;
  /** The Encrypt value (the fourth element of the signature). */
  encrypt: string;
}

export type SignCallbackInput = CallbackCredentials &
  SignOptions & {
    /** Envelope AgentID; default the event's agentId. Contact-sync callbacks have none. */
    agentId?: string | number;
  } & ({ event: CallbackEventInput; xml?: never } | { xml: string; event?: never });

/** Encrypts an event (or plaintext XML) and signs it: the POST WeCom would make to the receiver. */
export function signCallback(input: SignCallbackInput): SignedCallback {
  assertCallbackCredentials(input);
  const plaintext = input.event !== undefined ? serializeCallbackXml(input.event) : input.xml;
  if (typeof plaintext !== 'string' || plaintext === '') throw new TypeError('signCallback needs an event or the plaintext xml');
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(input.nonce ?? randomNonce());
  const encrypt = encryptMessage(input.encodingAESKey, plaintext, input.corpId, input.random);
  const eventAgent = input.event && 'agentId' in input.event ? input.event.agentId : undefined;
  const agentId = input.agentId ?? eventAgent;
  const query = { msg_signature: computeSignature(input.token, timestamp, nonce, encrypt), timestamp, nonce };
  return {
    query,
    search: new URLSearchParams(query).toString(),
    body: buildEncryptedEnvelope({ toUserName: input.corpId, ...(agentId !== undefined ? { agentId: String(agentId) } : {}), encrypt }),
    plaintext,
    encrypt,
  };
}

export interface SignedUrlVerification {
  query: SignedCallbackQuery & { echostr: string };
  /** URL-encoded (echostr's `+ / =` escaped), without `?`. */
  search: string;
  /** What the receiver must answer with: the decrypted echostr. */
  plaintext: string;
}

export type SignUrlVerificationInput = CallbackCredentials &
  SignOptions & {
    /** The plaintext the receiver must echo; default a random decimal string like WeCom's (§6.2). */
    echostr?: string;
  };

/** The GET WeCom makes when an admin saves the callback URL (§6.2). */
export function signUrlVerification(input: SignUrlVerificationInput): SignedUrlVerification {
  assertCallbackCredentials(input);
  const plaintext = input.echostr ?? `${randomNonce()}${randomNonce()}`.slice(0, 19);
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(input.nonce ?? randomNonce());
  const echostr = encryptMessage(input.encodingAESKey, plaintext, input.corpId, input.random);
  const query = { msg_signature: computeSignature(input.token, timestamp, nonce, echostr), timestamp, nonce, echostr };
  return { query, search: new URLSearchParams(query).toString(), plaintext };
}

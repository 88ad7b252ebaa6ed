/**
 * Reading the app's answer to a callback POST as WeCom does: anything but an empty body must be an encrypted
 * passive reply (wecom-protocol.md §6.6) — signature checked with the app's token, decrypted for receive id =
 * CorpID, parsed into one of the reply kinds the member's phone shows. Crypto and parsing are the SDK's
 * (`decryptPassiveReply`); this adds what the SDK does not build (`update_template_card`, whose card comes back as
 * JSON) and turns every problem into one PassiveReplyError that tells the app's developer what to fix.
 */
import {
  assertPassiveReply,
  decryptPassiveReply,
  type DecryptedPassiveReply,
  type PassiveReply as SdkPassiveReply,
  type XmlValue,
} from '@pairview/wecom/callback';
import type { CallbackSettings } from './settings.ts';
import { templateCardFromXml } from './template-card-xml.ts';

/** The reply kinds of §6.6; `update_template_card` replaces the clicked card (its `card` in message/send's JSON shape). */
export type PassiveReply = SdkPassiveReply | { type: 'update_template_card'; card: Record<string, unknown> };

export interface ReadReply {
  /** The member the reply is addressed to (ToUserName). */
  readonly toUser: string;
  readonly reply: PassiveReply;
  /** The decrypted plaintext XML, for the delivery log. */
  readonly plaintext: string;
}

/** A reply WeCom would not show: the message says what the app got wrong. */
export class PassiveReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassiveReplyError';
  }
}

export function readPassiveReply(body: string, settings: CallbackSettings, corpId: string): ReadReply {
  let decrypted: DecryptedPassiveReply;
  try {
    decrypted = decryptPassiveReply({ token: settings.token, encodingAESKey: settings.encodingAESKey, corpId }, body);
  } catch (error) {
    throw new PassiveReplyError(
      `a non-empty 200 must be an encrypted passive reply (<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>, §6.6), or answer an empty body: ${(error as Error).message}`,
    );
  }
  const toUser = decrypted.toUserName;
  if (toUser === '') throw new PassiveReplyError('the passive reply has no <ToUserName>: it must name the member who sent the callback');
  if (decrypted.msgType === 'update_template_card') {
    const card = decrypted.raw.TemplateCard;
    if (!isRecord(card)) throw new PassiveReplyError('an update_template_card passive reply needs a <TemplateCard> element');
    try {
      return { toUser, reply: { type: 'update_template_card', card: templateCardFromXml(card) }, plaintext: decrypted.xml };
    } catch (error) {
      throw new PassiveReplyError(`the <TemplateCard> of the passive reply is not a card: ${(error as Error).message}`);
    }
  }
  if (decrypted.reply === undefined) {
    throw new PassiveReplyError(
      `unknown passive reply MsgType "${decrypted.msgType}"; WeCom accepts text, image, voice, video, news, update_button and update_template_card (§6.6)`,
    );
  }
  try {
    assertPassiveReply(decrypted.reply);
  } catch (error) {
    throw new PassiveReplyError((error as Error).message);
  }
  return { toUser, reply: decrypted.reply, plaintext: decrypted.xml };
}

function isRecord(value: XmlValue | undefined): value is Exclude<XmlValue, string | XmlValue[]> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

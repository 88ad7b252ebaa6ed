/**
 * Handling one logged callback (a row of inbound_callbacks): the `handle_wecom_callback` job runs this, and so does
 * the callback request itself for a card click (plugin.ts explains why). Whoever handles a callback marks it
 * handled; nobody handles a callback that is marked. A failure leaves it unmarked (the error recorded on the row)
 * and throws, so graphile-worker retries it.
 *
 * Exactly once:
 * - text, enter_agent, change_contact: the row is locked (FOR UPDATE), the change made and the row marked handled in
 *   ONE transaction — a retry or a second handler finds it marked, or waits for the lock and then does.
 * - card clicks call the domain (respondToInvitation, recordDecision), which runs its own transactions. Both are
 *   idempotent for a repeated click (the same answer again changes nothing and notifies nobody; the same decision
 *   by the same person is recognised), so two handlers racing, or a retry after a crash between the domain's commit
 *   and the mark, change Pairview once. The mark is taken with `handled_at is null`, and only the handler that
 *   takes it answers the clicker — one answer per click.
 */
import { toCallbackEvent, type CallbackEvent, type CallbackEventOf, type XmlRecord } from '@pairview/wecom/callback';
import type { Transaction } from 'kysely';
import { CLAIMED_EVENT_TYPE } from '../callback-log.ts';
import type { WeComGlueDeps } from '../deps.ts';
import type { Db } from '../../db/pool.ts';
import type { Database } from '../../db/schema.ts';
import { enqueueNotification } from '../../notifications/outbox.ts';
import { markWelcomed } from '../../people/people.ts';
import { answerText, type ClickAnswer } from './answers.ts';
import { handleCardClick } from './clicks.ts';
import { parseBotCommand } from './commands.ts';
import { handleContactChange } from './contacts.ts';
import { findMember, type MemberRow } from './members.ts';

export type InboundDeps = Pick<WeComGlueDeps, 'client' | 'config' | 'db' | 'pool' | 'clock' | 'log'>;

export type CardClickEvent = CallbackEventOf<'template_card_event'>;

export type HandleResult =
  /** This call handled it; for a click, `answer` is what the clicker's card must now show. */
  | { status: 'handled'; click?: { event: CardClickEvent; answer: ClickAnswer } }
  /** Someone else handled it (an earlier try, the request, a racing job): nothing to do. */
  | { status: 'already_handled' };

export async function handleCallback(deps: InboundDeps, callbackId: string): Promise<HandleResult> {
  const row = await deps.db
    .selectFrom('inbound_callbacks')
    .select(['id', 'event_type', 'raw', 'handled_at'])
    .where('id', '=', callbackId)
    .executeTakeFirst();
  if (!row) throw new Error(`inbound callback ${callbackId} does not exist`);
  if (row.handled_at) return { status: 'already_handled' };
  if (row.event_type === CLAIMED_EVENT_TYPE) throw new Error(`inbound callback ${callbackId} was claimed but its event was never logged`);
  const event = toCallbackEvent(row.raw as XmlRecord);

  try {
    if (event.type === 'template_card_event') {
      const outcome = await handleCardClick({ ...deps, nameOf: (p) => nameOf(p, deps.config.locale) }, { userId: event.fromUserName, eventKey: event.eventKey });
      if (!(await markHandled(deps.db, callbackId, deps, outcome.note))) return { status: 'already_handled' };
      return outcome.answer ? { status: 'handled', click: { event, answer: outcome.answer } } : { status: 'handled' };
    }
    return await deps.db.transaction().execute(async (tx) => {
      const locked = await tx.selectFrom('inbound_callbacks').select('handled_at').where('id', '=', callbackId).forUpdate().executeTakeFirstOrThrow();
      if (locked.handled_at) return { status: 'already_handled' as const };
      const note = await handleInTransaction(deps, tx, callbackId, event);
      await markHandled(tx, callbackId, deps, note);
      return { status: 'handled' as const };
    });
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // Visible in the admin's callback log while the job retries; cleared by the mark once it succeeds.
    await deps.db
      .updateTable('inbound_callbacks')
      .set({ error: message.slice(0, 2000) })
      .where('id', '=', callbackId)
      .where('handled_at', 'is', null)
      .execute()
      .catch(() => {});
    throw error;
  }
}

/** Text, enter_agent, change_contact and everything else, in `tx`, the transaction that marks the row. Returns a note. */
async function handleInTransaction(
  deps: InboundDeps,
  tx: Transaction<Database>,
  callbackId: string,
  event: CallbackEvent,
): Promise<string | undefined> {
  switch (event.type) {
    case 'text': {
      const person = await findMember(tx, event.fromUserName);
      if (!person) return notInDirectory(event.fromUserName);
      const command = parseBotCommand(event.content);
      // The outbox dedupe key ties the reply to this callback: never two replies to one message.
      await enqueueNotification(tx, { kind: 'bot_reply', command, recipients: [person.id] }, { dedupeKey: `callback:${callbackId}` });
      return undefined;
    }
    case 'enter_agent': {
      const person = await findMember(tx, event.fromUserName);
      if (!person) return notInDirectory(event.fromUserName);
      // WeCom sends enter_agent on every visit; the welcome goes out on the first one only.
      if (await markWelcomed(tx, person.id, deps.clock)) {
        await enqueueNotification(tx, { kind: 'welcome', recipients: [person.id] }, { dedupeKey: `welcome:${person.id}` });
      }
      return undefined;
    }
    case 'change_contact': {
      const result = await handleContactChange({ db: tx, clock: deps.clock, client: deps.client }, event);
      deps.log.info(`WeCom directory change (${event.changeType}): ${result.summary}`);
      return result.note;
    }
    default:
      return `ignored: Pairview does not act on ${event.type === 'unknown' ? `${event.msgType}${event.event ? `/${event.event}` : ''}` : event.type} callbacks`;
  }
}

function notInDirectory(userId: string): string {
  return `ignored: ${userId} is not an active member in Pairview's directory`;
}

/** Marks the row handled (with the note, if any, on `error`); false when it already was. */
async function markHandled(db: Db, callbackId: string, deps: Pick<InboundDeps, 'clock'>, note: string | undefined): Promise<boolean> {
  const row = await db
    .updateTable('inbound_callbacks')
    .set({ handled_at: deps.clock.now(), error: note?.slice(0, 2000) ?? null })
    .where('id', '=', callbackId)
    .where('handled_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

function nameOf(person: MemberRow, locale: WeComGlueDeps['config']['locale']): string {
  return locale === 'en' && person.english_name ? person.english_name : person.name;
}

/**
 * Answers the clicker through the API: update_template_card with the click's own ResponseCode (single use, 72 h,
 * wecom-protocol.md §3.6), for clicks not answered by a passive reply. A failure is logged, not thrown: the click
 * is recorded, and a retry of the job would find it handled and could not answer either.
 */
export async function answerClickByApi(deps: Pick<InboundDeps, 'client' | 'config' | 'log'>, event: CardClickEvent, answer: ClickAnswer): Promise<void> {
  if (!event.responseCode) {
    deps.log.warn(`WeCom card click by ${event.fromUserName} (task ${event.taskId}) came without a ResponseCode; their card cannot be updated`);
    return;
  }
  try {
    await deps.client.message.updateTemplateCard({
      userids: [event.fromUserName],
      responseCode: event.responseCode,
      button: { replaceName: answerText(answer, deps.config.locale) },
    });
  } catch (error) {
    deps.log.warn(`could not update ${event.fromUserName}'s card (task ${event.taskId}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

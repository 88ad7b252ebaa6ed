/**
 * The card registry (wecom_cards): every interactive card Pairview sent, and what it takes to change it later.
 * WeCom hands back a response_code with each button_interaction card; it is single use and valid 72 hours
 * (wecom-protocol.md §3.1, §3.6; older documents say 24 h, and then WeCom answers 60140, which is handled).
 * Pairview uses it once, to grey the card's buttons out with a label when the card is over: "已取消" when the
 * interview is cancelled, "已推进 · 张三" when the decision is taken.
 *
 * Each card goes to one member (see notifier.ts), so each member's copy has its own code.
 */
import type { WeComClient } from '@pairview/wecom';
import type { Clock } from '../../clock.ts';
import { classifyFailure, errcodeOf } from './errors.ts';
import type { CardKind, OutboundDb } from './tables.ts';

/** Use the code a little before WeCom's 72 hours are up. */
export const RESPONSE_CODE_TTL_MS = 72 * 3600_000 - 10 * 60_000;

export interface SentCard {
  taskId: string;
  kind: CardKind;
  interviewId: string;
  outboxId: string;
  personId: string;
  wecomUserId: string;
  scorecardId: string | null;
  msgid: string;
  responseCode: string | undefined;
  sentAt: Date;
}

/** Records a sent card. A resent card (same task_id) keeps its row and takes the newer msgid/response_code. */
export async function registerCard(db: OutboundDb, card: SentCard): Promise<void> {
  const code = card.responseCode ?? null;
  const expires = code ? new Date(card.sentAt.getTime() + RESPONSE_CODE_TTL_MS) : null;
  await db
    .insertInto('wecom_cards')
    .values({
      task_id: card.taskId,
      kind: card.kind,
      interview_id: card.interviewId,
      outbox_id: card.outboxId,
      person_id: card.personId,
      wecom_userid: card.wecomUserId,
      scorecard_id: card.scorecardId,
      msgid: card.msgid,
      response_code: code,
      response_code_expires_at: expires,
      created_at: card.sentAt,
    })
    .onConflict((oc) =>
      oc.column('task_id').doUpdateSet((eb) => ({
        msgid: card.msgid,
        // A duplicate-checked resend may come back without a code; keep the one we have.
        response_code: eb.fn.coalesce(eb.val(code), eb.ref('wecom_cards.response_code')),
        response_code_expires_at: eb.fn.coalesce(eb.val(expires), eb.ref('wecom_cards.response_code_expires_at')),
      })),
    )
    .execute();
}

export interface CloseCardsDeps {
  db: OutboundDb;
  client: WeComClient;
  clock: Clock;
  log: { warn(message: string): void };
}

export interface CardFilter {
  kind: CardKind;
  interviewId: string;
  /** Only this member's cards. */
  personId?: string | undefined;
  /** Leave the cards sent by this outbox row alone (a rescheduled notice closes the older cards, not its own). */
  exceptOutboxId?: string | undefined;
}

export interface CloseResult {
  /** Person ids whose card (one or more) now shows `label`, by this call or an earlier one. */
  closedFor: Set<string>;
}

/**
 * Greys out the buttons of every open card matching `filter`, showing `label` (update_template_card with
 * `button.replace_name`). A card whose code is used up or expired is left as it is. A transient failure is
 * thrown after the other cards were tried; the retry finds the closed ones closed.
 */
export async function closeCards(deps: CloseCardsDeps, filter: CardFilter, label: string): Promise<CloseResult> {
  const { db, client, clock } = deps;
  let query = db.selectFrom('wecom_cards').selectAll().where('kind', '=', filter.kind).where('interview_id', '=', filter.interviewId);
  if (filter.personId) query = query.where('person_id', '=', filter.personId);
  if (filter.exceptOutboxId) query = query.where('outbox_id', '<>', filter.exceptOutboxId);
  const cards = await query.orderBy('created_at').execute();

  const closedFor = new Set<string>();
  let transient: unknown;
  for (const card of cards) {
    if (card.closed_at) {
      if (card.closed_label === label) closedFor.add(card.person_id);
      continue;
    }
    const now = clock.now();
    const usable = card.response_code && !card.response_code_used_at && card.response_code_expires_at && card.response_code_expires_at > now;
    if (!usable) continue;
    try {
      await client.message.updateTemplateCard({ userids: [card.wecom_userid], responseCode: card.response_code!, button: { replaceName: label } });
      await db
        .updateTable('wecom_cards')
        .set({ closed_label: label, closed_at: clock.now(), response_code_used_at: clock.now() })
        .where('task_id', '=', card.task_id)
        .execute();
      closedFor.add(card.person_id);
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.kind === 'transient') {
        transient ??= error;
        continue;
      }
      // 60140 (code used or expired) and the like: this card cannot be changed any more.
      await db.updateTable('wecom_cards').set({ response_code_used_at: clock.now() }).where('task_id', '=', card.task_id).execute();
      deps.log.warn(`WeCom card ${card.task_id} could not be updated (errcode ${errcodeOf(error) ?? 'none'}): ${failure.errmsg}`);
    }
  }
  if (transient !== undefined) throw transient;
  return { closedFor };
}

/**
 * Per-recipient delivery state (wecom_deliveries): a notification to several people is one message/send per
 * person, and this table remembers who already has it, so a retry never sends anyone a second copy.
 *
 * - sent: delivered (or handled by a card update); never touched again.
 * - sending: the message went out (or was about to) with an unknown result; the retry resends the stored body
 *   unchanged, and WeCom's duplicate check drops it if the first one arrived.
 * - failed / dropped: final for this delivery; once the outbox row has reported them (`reported`), the next
 *   delivery of the row — an admin's retry from the message log — tries them again.
 */
import type { Message } from '@pairview/wecom';
import type { Clock } from '../../clock.ts';
import type { DeliveryStatus, OutboundDb, WeComDeliveriesTable } from './tables.ts';
import { sql, type Selectable } from 'kysely';

export type DeliveryRow = Selectable<WeComDeliveriesTable>;

export async function loadDeliveries(db: OutboundDb, outboxId: string): Promise<Map<string, DeliveryRow>> {
  const rows = await db.selectFrom('wecom_deliveries').selectAll().where('outbox_id', '=', outboxId).execute();
  return new Map(rows.map((r) => [r.person_id, r]));
}

/** Whether this delivery attempt leaves the recipient alone. */
export function isSettled(row: DeliveryRow | undefined): boolean {
  if (!row) return false;
  if (row.status === 'sent') return true;
  return (row.status === 'failed' || row.status === 'dropped') && !row.reported;
}

/** The stored body of a send whose outcome is unknown, to resend as it was. */
export function storedMessage(row: DeliveryRow | undefined): Message | undefined {
  return row?.status === 'sending' && row.message ? (row.message as Message) : undefined;
}

interface Final {
  status: Exclude<DeliveryStatus, 'sending'>;
  wecomUserId?: string | null | undefined;
  via?: 'message' | 'card_update' | 'none' | undefined;
  msgid?: string | null | undefined;
  responseCode?: string | null | undefined;
  errcode?: number | null | undefined;
  errmsg?: string | null | undefined;
}

/** Records a recipient's final state for this delivery (insert or update); returns what it wrote. */
export async function settle(
  db: OutboundDb,
  clock: Clock,
  outboxId: string,
  personId: string,
  final: Final,
  /** A sent message: its quota reservation now counts from `at` (see quota.ts), in the same statement. */
  confirm?: { reservationId: string; at: Date },
): Promise<Settled> {
  const now = clock.now();
  const values = {
    status: final.status,
    via: final.via ?? null,
    msgid: final.msgid ?? null,
    response_code: final.responseCode ?? null,
    errcode: final.errcode ?? null,
    errmsg: final.errmsg?.slice(0, 2000) ?? null,
    reported: false,
    updated_at: now,
    sent_at: final.status === 'sent' ? now : null,
  };
  // One statement, so one round trip and its own transaction. It commits without waiting for the disk (see
  // quota.ts): the delivery job's next commit is synchronous and flushes this too; lost only if PostgreSQL itself
  // crashes first, and then the stored body is resent under duplicate check. set_config(…, true) lasts until the
  // end of the statement's implicit transaction, its commit included.
  let statement = db.with('async_commit', (qb) => qb.selectNoFrom(sql<string>`set_config('synchronous_commit', 'off', true)`.as('setting')));
  if (confirm) {
    statement = statement.with('confirmed', (qb) => qb.updateTable('wecom_member_sends').set({ sent_at: confirm.at }).where('id', '=', confirm.reservationId));
  }
  await statement
    .insertInto('wecom_deliveries')
    .values({ outbox_id: outboxId, person_id: personId, wecom_userid: final.wecomUserId ?? null, message: null, created_at: now, ...values })
    .onConflict((oc) => oc.columns(['outbox_id', 'person_id']).doUpdateSet(values))
    // Reading async_commit makes PostgreSQL evaluate it: a plain SELECT in WITH runs only as far as it is read.
    .returning(sql<string>`(select setting from async_commit)`.as('synchronous_commit'))
    .execute();
  return { personId, wecomUserId: final.wecomUserId ?? null, status: final.status, msgid: values.msgid, errcode: values.errcode, errmsg: values.errmsg };
}

/** A recipient's final state, as the outbox row's outcome needs it. */
export interface Settled {
  personId: string;
  wecomUserId: string | null;
  status: Exclude<DeliveryStatus, 'sending'>;
  msgid: string | null;
  errcode: number | null;
  errmsg: string | null;
}

export function settledOf(row: DeliveryRow): Settled {
  return {
    personId: row.person_id,
    wecomUserId: row.wecom_userid,
    status: row.status as Settled['status'],
    msgid: row.msgid,
    errcode: row.errcode,
    errmsg: row.errmsg,
  };
}

/** Marks the recipient as being sent `message` (in the quota reservation's transaction). */
export async function markSending(
  db: OutboundDb,
  clock: Clock,
  row: { outboxId: string; personId: string; wecomUserId: string; message: Message; cardTaskId: string | null },
): Promise<void> {
  const now = clock.now();
  const message = JSON.stringify(row.message);
  await db
    .insertInto('wecom_deliveries')
    .values({
      outbox_id: row.outboxId,
      person_id: row.personId,
      wecom_userid: row.wecomUserId,
      status: 'sending',
      via: 'message',
      message,
      card_task_id: row.cardTaskId,
      attempts: 1,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['outbox_id', 'person_id']).doUpdateSet((eb) => ({
        status: 'sending',
        via: 'message',
        wecom_userid: row.wecomUserId,
        message,
        card_task_id: row.cardTaskId,
        reported: false,
        errcode: null,
        errmsg: null,
        attempts: eb(eb.ref('wecom_deliveries.attempts'), '+', 1),
        updated_at: now,
      })),
    )
    .execute();
}

/** A transient failure: the row stays `sending` (its body is resent next time); the error is kept for the log. */
export async function noteTransientError(db: OutboundDb, clock: Clock, outboxId: string, personId: string, errcode: number | undefined, errmsg: string): Promise<void> {
  await db
    .updateTable('wecom_deliveries')
    .set({ errcode: errcode ?? null, errmsg: errmsg.slice(0, 2000), updated_at: clock.now() })
    .where('outbox_id', '=', outboxId)
    .where('person_id', '=', personId)
    .execute();
}

/** The outbox row is about to report these failures: its next delivery (an admin retry) tries them again. */
export async function markReported(db: OutboundDb, outboxId: string): Promise<void> {
  await db.updateTable('wecom_deliveries').set({ reported: true }).where('outbox_id', '=', outboxId).where('status', 'in', ['failed', 'dropped']).execute();
}

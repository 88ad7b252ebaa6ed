/**
 * Per-recipient delivery state (wecom_deliveries): a notification to several people is one message/send per
 * person, and this table remembers who already has it, so a retry never sends anyone a second copy.
 *
 * - sent: delivered (or handled by a card update); never touched again.
 * - sending: the message went out (or was about to) with an unknown result; the retry resends the stored body
 *   unchanged, and WeCom's duplicate check drops it if the first one arrived.
 * - failed / dropped: final for this delivery; once the outbox row has reported them (`reported`), the next
 *   delivery of the row — an admin's retry from the message log — tries them again.
 *
 * The statements every delivery makes (read the rows, mark a recipient `sending`, record the result) are shared by
 * the jobs running at once (notifications/batch.ts): under a burst, one round trip serves many messages. The two
 * writes commit without waiting for the disk (synchronous_commit off, for their own transaction only): the
 * delivery job's final write to the outbox is synchronous and flushes them too; only a PostgreSQL crash in the
 * moment between could lose them, and then the stored body is resent under WeCom's duplicate check (or, if the
 * `sending` row itself was lost, rendered again — the same text with the same outbox link, so a duplicate again).
 */
import type { Message } from '@pairview/wecom';
import { sql, type Selectable } from 'kysely';
import type { Clock } from '../../clock.ts';
import { batched } from '../../notifications/batch.ts';
import type { DeliveryStatus, OutboundDb, WeComDeliveriesTable } from './tables.ts';
import { toPerson, type PersonView } from './view.ts';

export type DeliveryRow = Selectable<WeComDeliveriesTable>;

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

export interface Final {
  status: Exclude<DeliveryStatus, 'sending'>;
  wecomUserId?: string | null | undefined;
  via?: 'message' | 'card_update' | 'none' | undefined;
  msgid?: string | null | undefined;
  responseCode?: string | null | undefined;
  errcode?: number | null | undefined;
  errmsg?: string | null | undefined;
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

export interface Sending {
  outboxId: string;
  personId: string;
  wecomUserId: string;
  message: Message;
  cardTaskId: string | null;
}

/** `set_config` inside the statement: its own transaction commits without waiting for the disk (see above). */
const ASYNC_COMMIT = sql`(select set_config('synchronous_commit', 'off', true))`;

/** The delivery statements of one notifier, batched across the jobs that run at once. */
export function deliveryStatements(db: OutboundDb, clock: Clock) {
  /**
   * What a delivery reads first, in one statement for every delivery starting at once: the recipient rows of its
   * outbox row (by person) and its recipients as people.
   */
  const load = batched<{ outboxId: string; people: readonly string[] }, { rows: Map<string, DeliveryRow>; people: Map<string, PersonView> }>(async (items) => {
    const outboxIds = [...new Set(items.map((i) => i.outboxId))];
    const personIds = [...new Set(items.flatMap((i) => i.people))];
    const { rows } = await sql<{ kind: 'delivery' | 'person'; row: Record<string, unknown> }>`
      select 'delivery' as kind, to_json(d) as row from wecom_deliveries d where d.outbox_id = any(${outboxIds}::uuid[])
      union all
      select 'person', json_build_object('id', p.id, 'name', p.name, 'english_name', p.english_name, 'wecom_userid', p.wecom_userid, 'active', p.active)
      from people p where p.id = any(${personIds}::uuid[])`.execute(db);
    const byOutbox = new Map<string, Map<string, DeliveryRow>>();
    const people = new Map<string, PersonView>();
    for (const { kind, row } of rows) {
      if (kind === 'person') {
        const person = toPerson(row as Parameters<typeof toPerson>[0]);
        people.set(person.id, person);
        continue;
      }
      const delivery = row as unknown as DeliveryRow;
      let map = byOutbox.get(delivery.outbox_id);
      if (!map) byOutbox.set(delivery.outbox_id, (map = new Map()));
      map.set(delivery.person_id, delivery);
    }
    return items.map((i) => ({
      rows: byOutbox.get(i.outboxId) ?? new Map(),
      people: new Map(i.people.flatMap((id) => (people.has(id) ? [[id, people.get(id)!] as const] : []))),
    }));
  });

  /** Marks the recipient as being sent `message`, before it goes: a crash after this resends the same body. */
  const markSending = batched<Sending, void>(async (items) => {
    const now = clock.now();
    const last = [...new Map(items.map((i) => [`${i.outboxId}/${i.personId}`, i])).values()];
    await sql`
      insert into wecom_deliveries as d (outbox_id, person_id, wecom_userid, status, via, message, card_task_id, attempts, created_at, updated_at)
      select v.outbox_id, v.person_id, v.wecom_userid, 'sending', 'message', v.message::json, v.card_task_id, 1, ${now}::timestamptz, ${now}::timestamptz
      from unnest(${last.map((i) => i.outboxId)}::uuid[], ${last.map((i) => i.personId)}::uuid[], ${last.map((i) => i.wecomUserId)}::text[],
                  ${last.map((i) => JSON.stringify(i.message))}::text[], ${last.map((i) => i.cardTaskId)}::text[])
           as v(outbox_id, person_id, wecom_userid, message, card_task_id)
      where ${ASYNC_COMMIT} is not null
      on conflict (outbox_id, person_id) do update set
        status = 'sending', via = 'message', wecom_userid = excluded.wecom_userid, message = excluded.message,
        card_task_id = excluded.card_task_id, reported = false, errcode = null, errmsg = null,
        attempts = d.attempts + 1, updated_at = excluded.updated_at`.execute(db);
    return items.map(() => undefined);
  });

  /** Records a recipient's final state for this delivery (insert or update); returns what it wrote. */
  const settleBatch = batched<{ outboxId: string; personId: string; final: Final }, void>(async (items) => {
    const now = clock.now();
    const last = [...new Map(items.map((i) => [`${i.outboxId}/${i.personId}`, i])).values()];
    const col = <T,>(pick: (f: Final) => T) => last.map((i) => pick(i.final));
    await sql`
      insert into wecom_deliveries as d (outbox_id, person_id, wecom_userid, status, via, msgid, response_code, errcode, errmsg, reported, created_at, updated_at, sent_at)
      select v.outbox_id, v.person_id, v.wecom_userid, v.status, v.via, v.msgid, v.response_code, v.errcode, v.errmsg, false,
             ${now}::timestamptz, ${now}::timestamptz, case when v.status = 'sent' then ${now}::timestamptz end
      from unnest(${last.map((i) => i.outboxId)}::uuid[], ${last.map((i) => i.personId)}::uuid[], ${col((f) => f.wecomUserId ?? null)}::text[],
                  ${col((f) => f.status)}::text[], ${col((f) => f.via ?? null)}::text[], ${col((f) => f.msgid ?? null)}::text[],
                  ${col((f) => f.responseCode ?? null)}::text[], ${col((f) => f.errcode ?? null)}::integer[], ${col((f) => f.errmsg?.slice(0, 2000) ?? null)}::text[])
           as v(outbox_id, person_id, wecom_userid, status, via, msgid, response_code, errcode, errmsg)
      where ${ASYNC_COMMIT} is not null
      on conflict (outbox_id, person_id) do update set
        status = excluded.status, via = excluded.via, msgid = excluded.msgid, response_code = excluded.response_code,
        errcode = excluded.errcode, errmsg = excluded.errmsg, reported = false, updated_at = excluded.updated_at,
        sent_at = excluded.sent_at`.execute(db);
    return items.map(() => undefined);
  });

  return {
    load,
    markSending,
    async settle(outboxId: string, personId: string, final: Final): Promise<Settled> {
      await settleBatch({ outboxId, personId, final });
      return {
        personId,
        wecomUserId: final.wecomUserId ?? null,
        status: final.status,
        msgid: final.msgid ?? null,
        errcode: final.errcode ?? null,
        errmsg: final.errmsg?.slice(0, 2000) ?? null,
      };
    },
  };
}

export type DeliveryStatements = ReturnType<typeof deliveryStatements>;

/**
 * Nothing was sent this time (the quota made the send wait for later, before any attempt). A first send forgets its
 * stored body, so the next delivery renders the message fresh — a digest waiting for tomorrow shows tomorrow's
 * state; a resend keeps the body (an earlier attempt may have arrived) and only takes back the attempt it counted.
 */
export async function unmarkSending(db: OutboundDb, outboxId: string, personId: string, resend: boolean): Promise<void> {
  const row = db.updateTable('wecom_deliveries').where('outbox_id', '=', outboxId).where('person_id', '=', personId).where('status', '=', 'sending');
  if (resend) await row.set((eb) => ({ attempts: eb(eb.ref('attempts'), '-', 1) })).execute();
  else await db.deleteFrom('wecom_deliveries').where('outbox_id', '=', outboxId).where('person_id', '=', personId).where('status', '=', 'sending').execute();
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

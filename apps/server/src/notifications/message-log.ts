/** The admin's message log: outbound notifications with their delivery state, inbound callbacks, and retry. */
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { OutboxStatus } from '../db/schema.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { addDeliveryJob } from './outbox.ts';
import type { NotificationKind } from './notification.ts';

export interface MessageFilter {
  status?: OutboxStatus | undefined;
  kind?: string | undefined;
  recipientId?: string | undefined;
  interviewId?: string | undefined;
  /** Paging: messages created before this instant. */
  before?: Date | undefined;
  limit: number;
}

export async function listMessages(db: Db, filter: MessageFilter) {
  let query = db.selectFrom('outbox').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.recipientId) query = query.where(sql<boolean>`recipient_ids @> array[${filter.recipientId}]::uuid[]`);
  if (filter.interviewId) query = query.where('interview_id', '=', filter.interviewId);
  if (filter.before) query = query.where('created_at', '<', filter.before);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  const personIds = [...new Set(rows.flatMap((r) => r.recipient_ids))];
  const people = personIds.length
    ? await db.selectFrom('people').select(['id', 'name', 'wecom_userid']).where('id', 'in', personIds).execute()
    : [];
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    status: row.status,
    recipients: row.recipient_ids.map((id) => {
      const person = people.find((p) => p.id === id);
      return { id, name: person?.name ?? '', wecomUserId: person?.wecom_userid ?? '' };
    }),
    interviewId: row.interview_id,
    payload: row.payload as Record<string, unknown>,
    attempts: row.attempts,
    errcode: row.errcode,
    errmsg: row.errmsg,
    msgid: row.msgid,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastAttemptAt: row.last_attempt_at,
    sentAt: row.sent_at,
  }));
}

const MESSAGE_STATUS_ZH: Record<OutboxStatus, string> = { queued: '排队中', sending: '发送中', sent: '已发送', failed: '发送失败', dropped: '已丢弃' };

/** Puts a failed or dropped message back in the queue with a fresh delivery job. */
export async function retryMessage(db: Db, clock: Clock, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('outbox').select(['status', 'kind']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError({ code: 'message_not_found', en: `No message with id ${id}`, zh: `找不到 ID 为 ${id} 的消息。` });
    if (row.status !== 'failed' && row.status !== 'dropped') {
      throw new ConflictError({
        code: 'message_not_retryable',
        en: `Only failed or dropped messages can be retried; this one is ${row.status}`,
        zh: `只有发送失败或被丢弃的消息可以重试；这条消息的状态是 ${MESSAGE_STATUS_ZH[row.status]}。`,
      });
    }
    await tx.updateTable('outbox').set({ status: 'queued', updated_at: clock.now() }).where('id', '=', id).execute();
    await addDeliveryJob(tx, id, { kind: row.kind as NotificationKind });
  });
}

export async function listCallbacks(db: Db, filter: { eventType?: string | undefined; before?: Date | undefined; limit: number }) {
  let query = db.selectFrom('inbound_callbacks').selectAll();
  if (filter.eventType) query = query.where('event_type', '=', filter.eventType);
  if (filter.before) query = query.where('received_at', '<', filter.before);
  const rows = await query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    dedupeKey: r.dedupe_key,
    eventType: r.event_type,
    raw: r.raw,
    receivedAt: r.received_at,
    handledAt: r.handled_at,
    error: r.error,
  }));
}

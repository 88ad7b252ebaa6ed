/**
 * The transactional outbox: a domain change and the notification it causes commit together, and so does the
 * graphile-worker job that delivers it (job_key = outbox id, so a retry or a re-enqueue never makes two jobs).
 * Roll the transaction back and neither the row nor the job exists.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { interviewOf, type DomainNotification } from './notification.ts';

export const DELIVER_TASK = 'deliver_notification';

/**
 * How often delivery is attempted before the row is marked failed. graphile-worker's backoff is exp(attempt)
 * seconds (1 s … ~2.2 h for attempt 8), so transient WeCom trouble of up to a few hours is ridden out.
 */
export const DELIVERY_MAX_ATTEMPTS = 10;

export interface DeliverPayload {
  outboxId: string;
}

export interface EnqueueOptions {
  /** A key that makes the write idempotent: a second notification with the same key is not written. */
  dedupeKey?: string;
}

/**
 * Writes `notification` to the outbox and adds its delivery job, inside `tx`. Returns the outbox id, or
 * undefined when there was nobody to notify or the dedupe key was already used.
 */
export async function enqueueNotification(
  tx: Transaction<Database>,
  notification: DomainNotification,
  options: EnqueueOptions = {},
): Promise<string | undefined> {
  const recipients = [...new Set(notification.recipients)];
  if (recipients.length === 0) return undefined;
  const row = await tx
    .insertInto('outbox')
    .values({
      kind: notification.kind,
      recipient_ids: recipients,
      payload: JSON.stringify({ ...notification, recipients }),
      interview_id: interviewOf(notification),
      dedupe_key: options.dedupeKey ?? null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return undefined;
  await addDeliveryJob(tx, row.id);
  return row.id;
}

/** (Re)adds the delivery job of an outbox row; replaces a waiting job with the same key. */
export async function addDeliveryJob(tx: Transaction<Database>, outboxId: string, runAt?: Date): Promise<void> {
  const payload: DeliverPayload = { outboxId };
  await sql`select graphile_worker.add_job(
    identifier => ${DELIVER_TASK},
    payload => ${JSON.stringify(payload)}::json,
    run_at => ${runAt ?? null}::timestamptz,
    max_attempts => ${DELIVERY_MAX_ATTEMPTS},
    job_key => ${outboxId},
    job_key_mode => 'replace'
  )`.execute(tx);
}

/**
 * The transactional outbox: a domain change and the notification it causes commit together, and so does the
 * graphile-worker job that delivers it (job_key = outbox id, so a retry or a re-enqueue never makes two jobs).
 * Roll the transaction back and neither the row nor the job exists.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { interviewOf, type DomainNotification, type NotificationKind } from './notification.ts';
import { jobPriority } from './priority.ts';

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
  await addDeliveryJob(tx, row.id, { kind: notification.kind });
  return row.id;
}

/**
 * Many notifications at once (a digest to every interviewer, a benchmark's burst): the same rows and jobs as
 * enqueueNotification, in two statements per thousand instead of two per notification. Returns how many were
 * written (nobody to notify, or a dedupe key already used: not written).
 */
export async function enqueueNotifications(
  tx: Transaction<Database>,
  items: readonly { notification: DomainNotification; dedupeKey?: string | undefined }[],
): Promise<number> {
  let written = 0;
  for (let from = 0; from < items.length; from += 1000) {
    const values = items
      .slice(from, from + 1000)
      .map(({ notification, dedupeKey }) => ({ notification: { ...notification, recipients: [...new Set(notification.recipients)] }, dedupeKey }))
      .filter(({ notification }) => notification.recipients.length > 0)
      .map(({ notification, dedupeKey }) => ({
        kind: notification.kind,
        recipient_ids: notification.recipients,
        payload: JSON.stringify(notification),
        interview_id: interviewOf(notification),
        dedupe_key: dedupeKey ?? null,
      }));
    if (values.length === 0) continue;
    const rows = await tx.insertInto('outbox').values(values).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning(['id', 'kind']).execute();
    if (rows.length === 0) continue;
    await sql`select graphile_worker.add_jobs(array(
      select row(${DELIVER_TASK}, json_build_object('outboxId', t.id), null, null, ${DELIVERY_MAX_ATTEMPTS}, t.id::text, t.priority, null)::graphile_worker.job_spec
      from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => jobPriority(r.kind as NotificationKind))}::smallint[]) as t(id, priority)
    ))`.execute(tx);
    written += rows.length;
  }
  return written;
}

/**
 * (Re)adds the delivery job of an outbox row; replaces a waiting job with the same key. Its priority comes from
 * the notification's kind (priority.ts), so every worker takes reminders before digests.
 */
export async function addDeliveryJob(tx: Transaction<Database>, outboxId: string, options: { kind: NotificationKind; runAt?: Date | undefined }): Promise<void> {
  const payload: DeliverPayload = { outboxId };
  await sql`select graphile_worker.add_job(
    identifier => ${DELIVER_TASK},
    payload => ${JSON.stringify(payload)}::json,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${DELIVERY_MAX_ATTEMPTS},
    job_key => ${outboxId},
    job_key_mode => 'replace',
    priority => ${jobPriority(options.kind)}
  )`.execute(tx);
}

/**
 * The Notifier port: how a domain notification leaves Pairview. The deliver_notification job calls it once per
 * attempt; the WeCom glue implements it (render zh/en, build the WeCom message, send through @pairview/wecom with
 * duplicate check and per-member quotas). Tests plug in an in-process implementation (recording-notifier.ts).
 *
 * Outcomes:
 * - `sent`: WeCom accepted it (msgid when WeCom returned one).
 * - `failed`: a permanent failure (e.g. errcode 81013 recipient not in the app's range, 60011 no privilege);
 *   recorded with its reason, never retried automatically (an admin may retry it from the message log).
 * - `dropped`: nothing to send any more (recipient deactivated, interview gone); recorded with the reason.
 * - `deferred`: not now, without it being a failure (the member's 30/min quota is used up): the job is
 *   re-planned at `until` and the attempt does not count.
 * A thrown error is transient (network, 5xx, -1 busy, 45009 API quota): the job is retried with backoff, and the
 * error's message and `errcode` (when it has one) are kept on the row.
 */
import type { DomainNotification } from './notification.ts';

export interface OutboundNotification {
  /** outbox.id: also the graphile-worker job key, stable across retries (use it for WeCom's duplicate check). */
  outboxId: string;
  /** 1 for the first attempt. */
  attempt: number;
  createdAt: Date;
  notification: DomainNotification;
}

export type DeliveryOutcome =
  | { status: 'sent'; msgid?: string | undefined }
  | { status: 'failed'; errcode?: number | undefined; errmsg: string }
  | { status: 'dropped'; reason: string }
  | { status: 'deferred'; until: Date; reason: string };

export interface Notifier {
  deliver(message: OutboundNotification): Promise<DeliveryOutcome>;
}

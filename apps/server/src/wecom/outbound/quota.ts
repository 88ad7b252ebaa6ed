/**
 * The per-member quota, cluster-wide. WeCom accepts at most 30 app messages a minute and 1000 an hour to one
 * member and silently DROPS the rest while answering errcode 0 (wecom-protocol.md §3.1, §5). So before each
 * message/send, Pairview counts what was sent to that member in the last minute and hour — in PostgreSQL, so
 * every worker process sees every send — and, when a window is full, the message waits (`deferred`) until the
 * oldest send in it leaves the window. Queue, never drop.
 *
 * The count and the reservation happen under a per-member transaction-level advisory lock, so two workers can
 * never both take the last slot. The lock is held for two statements, never across the HTTP call.
 */
import { sql, type Transaction } from 'kysely';
import type { OutboundDatabase, OutboundDb } from './tables.ts';

export interface QuotaWindow {
  limit: number;
  windowMs: number;
}

/** §5: 30 per minute and 1000 per hour, per app and member. */
export const MEMBER_QUOTA: readonly QuotaWindow[] = [
  { limit: 30, windowMs: 60_000 },
  { limit: 1000, windowMs: 3_600_000 },
];

/**
 * Slack added to a window before a deferred message goes: our clock and WeCom's differ, and WeCom counts the send
 * when it arrives, a little after we wrote it down.
 */
export const QUOTA_MARGIN_MS = 1000;

export type Reservation = { ok: true; id: string } | { ok: false; until: Date; reason: string };

/** The key of a member's advisory lock: userids are case-insensitive in WeCom (§3.4 step 8). */
function memberKey(userid: string): string {
  return userid.toLowerCase();
}

/**
 * Inside `tx`: takes one unit of `userid`'s quota at `now` (a row in wecom_member_sends), or says until when the
 * member's windows are full. The caller writes its delivery state in the same transaction, so the reservation
 * and "this message is being sent" commit together.
 */
export async function reserveMemberSend(
  tx: Transaction<OutboundDatabase>,
  userid: string,
  now: Date,
  outboxId: string,
  windows: readonly QuotaWindow[] = MEMBER_QUOTA,
): Promise<Reservation> {
  const member = memberKey(userid);
  await sql`select pg_advisory_xact_lock(hashtextextended(${`pairview:wecom-member:${member}`}, 0))`.execute(tx);
  const longest = Math.max(...windows.map((w) => w.windowMs));
  // Rows older than the longest window count for nothing any more.
  await tx
    .deleteFrom('wecom_member_sends')
    .where('wecom_userid', '=', member)
    .where('sent_at', '<=', new Date(now.getTime() - longest - QUOTA_MARGIN_MS))
    .execute();

  for (const { limit, windowMs } of windows) {
    const since = new Date(now.getTime() - windowMs - QUOTA_MARGIN_MS);
    // The limit-th most recent send inside the window: when it leaves the window, a unit is free again.
    const blocking = await tx
      .selectFrom('wecom_member_sends')
      .select('sent_at')
      .where('wecom_userid', '=', member)
      .where('sent_at', '>', since)
      .orderBy('sent_at', 'desc')
      .offset(limit - 1)
      .limit(1)
      .executeTakeFirst();
    if (blocking) {
      const until = new Date(blocking.sent_at.getTime() + windowMs + QUOTA_MARGIN_MS);
      return { ok: false, until, reason: `member quota: ${member} has had ${limit} messages in ${windowMs / 60_000} min; waiting until ${until.toISOString()}` };
    }
  }
  const row = await tx
    .insertInto('wecom_member_sends')
    .values({ wecom_userid: member, sent_at: now, outbox_id: outboxId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ok: true, id: String(row.id) };
}

/** After WeCom answered: the send counts from this (later) time, which is never before WeCom counted it. */
export async function confirmMemberSend(db: OutboundDb, reservationId: string, at: Date): Promise<void> {
  await db.updateTable('wecom_member_sends').set({ sent_at: at }).where('id', '=', reservationId).execute();
}

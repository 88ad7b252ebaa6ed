/**
 * The per-member quota, cluster-wide. WeCom accepts at most 30 app messages a minute and 1000 an hour to one
 * member and silently DROPS the rest while answering errcode 0 (wecom-protocol.md §3.1, §5). So before each
 * message/send, Pairview counts what was sent to that member in the last minute and hour — in PostgreSQL, so
 * every worker process sees every send — and, when a window is full, the message waits (`deferred`) until the
 * oldest send in it leaves the window. Queue, never drop.
 *
 * The count and the reservation happen under a per-member transaction-level advisory lock, so two workers can
 * never both take the last slot. The lock is held for a few statements, never across the HTTP call. Once WeCom
 * has answered, the reservation is moved to the answer's time (deliveries.ts `settle`): WeCom counted the send
 * when it arrived, after we wrote it down, and the window must not free before WeCom's does.
 */
import { sql, type Transaction } from 'kysely';
import type { OutboundDatabase } from './tables.ts';

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
  // synchronous_commit off for this transaction only: its commit need not wait for the disk. It survives a
  // Pairview crash (the server has it); only a PostgreSQL crash in the next instant could lose it, and then the
  // delivery job — whose own commits are synchronous and flush this one too — renders and sends again, under
  // the duplicate check. On a slow disk this halves the flushes a message waits for.
  await sql`select set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(hashtextextended(${`pairview:wecom-member:${member}`}, 0))`.execute(tx);
  const longest = Math.max(...windows.map((w) => w.windowMs));
  // One round trip: forget sends older than every window, find for each window its limit-th most recent send —
  // while that one is inside the window, the window is full, and it frees when that send leaves it — and, when
  // no window is full, take the unit. (The statement's snapshot is taken after the lock, so it sees every send.)
  const blocking = windows.map(
    ({ limit, windowMs }) => sql<Date | null>`(
      select sent_at from wecom_member_sends
      where wecom_userid = ${member} and sent_at > ${new Date(now.getTime() - windowMs - QUOTA_MARGIN_MS)}
      order by sent_at desc offset ${limit - 1} limit 1)`,
  );
  const { rows } = await sql<{ blocking: (Date | string | null)[]; id: string | number | null }>`
    with pruned as (
      delete from wecom_member_sends where wecom_userid = ${member} and sent_at <= ${new Date(now.getTime() - longest - QUOTA_MARGIN_MS)}
    ), windows as (
      select array[${sql.join(blocking)}]::timestamptz[] as blocking
    ), reserved as (
      insert into wecom_member_sends (wecom_userid, sent_at, outbox_id)
      select ${member}, ${now}, ${outboxId} from windows where array_remove(blocking, null) = '{}'
      returning id
    )
    select blocking, (select id from reserved) as id from windows`.execute(tx);
  const { blocking: found, id } = rows[0]!;
  if (id !== null) return { ok: true, id: String(id) };
  for (const [i, at] of found.entries()) {
    if (at === null) continue;
    const { limit, windowMs } = windows[i]!;
    const until = new Date(new Date(at).getTime() + windowMs + QUOTA_MARGIN_MS);
    return { ok: false, until, reason: `member quota: ${member} has had ${limit} messages in ${windowMs / 60_000} min; waiting until ${until.toISOString()}` };
  }
  throw new Error(`member quota: no unit reserved for ${member} although no window is full`);
}

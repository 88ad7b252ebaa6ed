/**
 * The interview room and its candidate link. The link is `<public url>/r/<token>`; only the token's hash is
 * stored, so the recruiter sees the link once (on scheduling, or when asking for a new one, which kills the old).
 * A link dies when the room ends, when the interview is cancelled, or at `expires_at`.
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { Database } from '../db/schema.ts';
import { hashToken, looksLikeToken, newToken } from '../auth/tokens.ts';
import { announceRoomChange } from './events.ts';

/** How long after the planned end a link still opens the room (interviews overrun). */
export const LINK_GRACE_MS = 2 * 3600_000;

export function linkExpiry(startsAt: Date, durationMinutes: number): Date {
  return new Date(startsAt.getTime() + durationMinutes * 60_000 + LINK_GRACE_MS);
}

export function candidateLinkUrl(publicUrl: URL, token: string): string {
  return new URL(`/r/${token}`, publicUrl).toString();
}

/** Creates the room of a new interview; returns the link token (shown once). */
export async function createRoom(tx: Transaction<Database>, interview: { id: string; startsAt: Date; durationMinutes: number }): Promise<string> {
  const token = newToken();
  await tx
    .insertInto('rooms')
    .values({
      interview_id: interview.id,
      candidate_token_hash: hashToken(token),
      expires_at: linkExpiry(interview.startsAt, interview.durationMinutes),
    })
    .execute();
  return token;
}

/** A new link for the room; the previous one stops working. */
export async function replaceRoomLink(db: Db, interviewId: string): Promise<string | undefined> {
  const token = newToken();
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('rooms')
      .set({ candidate_token_hash: hashToken(token) })
      .where('interview_id', '=', interviewId)
      .where('ended_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    // A candidate still in the room on the old link is disconnected.
    await announceRoomChange(tx, interviewId);
    return token;
  });
}

/** The live room a token opens, or undefined (wrong, ended, cancelled or expired). */
export async function findRoomByToken(db: Db, token: string, clock: Clock) {
  if (!looksLikeToken(token)) return undefined;
  return db
    .selectFrom('rooms')
    .innerJoin('interviews', 'interviews.id', 'rooms.interview_id')
    .selectAll('rooms')
    .where('rooms.candidate_token_hash', '=', hashToken(token))
    .where('rooms.ended_at', 'is', null)
    .where('rooms.expires_at', '>', clock.now())
    .where('interviews.status', '=', 'scheduled')
    .executeTakeFirst();
}

/** What a candidate's link opens: the room page data, and joining it (interviewers hear about the first join). */
import type { Selectable } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { RoomsTable } from '../db/schema.ts';
import { enqueueNotification } from '../notifications/outbox.ts';

type Room = Selectable<RoomsTable>;

/** Only what the candidate needs: no ids of people, no feedback, no contact details. */
export async function candidateRoomView(db: Db, room: Room) {
  const interview = await db
    .selectFrom('interviews')
    .innerJoin('candidates', 'candidates.id', 'interviews.candidate_id')
    .select(['interviews.position', 'interviews.starts_at', 'interviews.duration_minutes', 'interviews.status', 'candidates.name'])
    .where('interviews.id', '=', room.interview_id)
    .executeTakeFirstOrThrow();
  const interviewers = await db
    .selectFrom('interview_interviewers as ii')
    .innerJoin('people as p', 'p.id', 'ii.person_id')
    .select(['p.name', 'p.english_name'])
    .where('ii.interview_id', '=', room.interview_id)
    .where('ii.removed_at', 'is', null)
    .where('ii.response', '<>', 'declined')
    .orderBy('ii.added_at')
    .execute();
  return {
    position: interview.position,
    startsAt: interview.starts_at,
    durationMinutes: interview.duration_minutes,
    candidateName: room.candidate_name ?? interview.name,
    joinedAt: room.candidate_joined_at,
    interviewers: interviewers.map((i) => ({ name: i.english_name ?? i.name })),
  };
}

/** The candidate enters with a name. The first entry tells the interviewers; later ones only update the name. */
export async function candidateJoin(db: Db, clock: Clock, room: Room, name: string): Promise<{ firstJoin: boolean }> {
  return db.transaction().execute(async (tx) => {
    const first = await tx
      .updateTable('rooms')
      .set({ candidate_name: name, candidate_joined_at: clock.now() })
      .where('id', '=', room.id)
      .where('candidate_joined_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!first) {
      await tx.updateTable('rooms').set({ candidate_name: name }).where('id', '=', room.id).execute();
      return { firstJoin: false };
    }
    const panel = await tx
      .selectFrom('interview_interviewers')
      .select('person_id')
      .where('interview_id', '=', room.interview_id)
      .where('removed_at', 'is', null)
      .where('response', '<>', 'declined')
      .execute();
    await enqueueNotification(tx, { kind: 'candidate_joined', interviewId: room.interview_id, recipients: panel.map((p) => p.person_id) });
    return { firstJoin: true };
  });
}

/**
 * Reading interviews: the list with feedback status (recruiters and admins: all; everyone else: the ones they
 * are on), and the detail with scorecards, where a panelist sees peers' scorecards only after submitting theirs.
 */
import type { ExpressionBuilder, Selectable } from 'kysely';
import { seesAllInterviews, type MemberPrincipal } from '../auth/principal.ts';
import type { Db } from '../db/pool.ts';
import type { Database, InterviewsTable, InterviewStatus } from '../db/schema.ts';
import { questionRefs } from '../questions/queries.ts';
import { interviewNotFound } from './errors.ts';

/** Where a page of the list ends: the last interview's start and id (the list's order is starts_at, then id). */
export interface ListPosition {
  startsAt: Date;
  id: string;
}

export interface InterviewFilter {
  status?: InterviewStatus | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Recruiters and admins: only the interviews they are on (the "my interviews" page). */
  mine?: boolean | undefined;
  /** By start time: `asc` (what is coming, soonest first) or `desc` (what happened, newest first). Default asc. */
  order?: 'asc' | 'desc' | undefined;
  /** Continue after this position (the previous page's last interview). */
  after?: ListPosition | undefined;
  limit: number;
}

/**
 * The opaque cursor of a list position, and back. Keyset pagination: a page starts strictly after the previous
 * page's last (starts_at, id), so interviews added or moved meanwhile never shift or repeat a page.
 */
export const listCursor = {
  encode: (position: ListPosition): string => Buffer.from(`${position.startsAt.toISOString()}|${position.id}`).toString('base64url'),
  decode(cursor: string): ListPosition | undefined {
    const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    const startsAt = new Date(at ?? '');
    if (rest.length || !id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(startsAt.getTime())) return undefined;
    return { startsAt, id };
  },
};

/** "On the panel" of the interview in scope: one of its interviewers, not removed. Access checks use it too. */
export function onPanel(eb: ExpressionBuilder<Database, 'interviews'>, personId: string) {
  return eb.exists(
    eb
      .selectFrom('interview_interviewers as ii')
      .select('ii.person_id')
      .whereRef('ii.interview_id', '=', 'interviews.id')
      .where('ii.person_id', '=', personId)
      .where('ii.removed_at', 'is', null),
  );
}

function involving(db: Db, personId: string) {
  return db
    .selectFrom('interviews')
    .select('interviews.id')
    .where((eb) =>
      eb.or([
        eb('interviews.recruiter_id', '=', personId),
        eb('interviews.hiring_manager_id', '=', personId),
        onPanel(eb, personId),
      ]),
    );
}

async function summaries(db: Db, rows: Selectable<InterviewsTable>[], viewerId: string) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const personIds = [...new Set(rows.flatMap((r) => [r.recruiter_id, r.hiring_manager_id]).filter((x): x is string => !!x))];
  const [candidates, panels, scorecards, decisions, people, questions] = await Promise.all([
    db.selectFrom('candidates').select(['id', 'name']).where('id', 'in', rows.map((r) => r.candidate_id)).execute(),
    db
      .selectFrom('interview_interviewers as ii')
      .innerJoin('people as p', 'p.id', 'ii.person_id')
      .select(['ii.interview_id', 'ii.person_id', 'ii.response', 'ii.responded_at', 'p.name'])
      .where('ii.interview_id', 'in', ids)
      .where('ii.removed_at', 'is', null)
      .orderBy('ii.added_at')
      .execute(),
    db.selectFrom('scorecards').select(['interview_id', 'interviewer_id']).where('interview_id', 'in', ids).execute(),
    db.selectFrom('decisions').select(['interview_id', 'decision', 'decided_at']).where('interview_id', 'in', ids).execute(),
    personIds.length ? db.selectFrom('people').select(['id', 'name']).where('id', 'in', personIds).execute() : Promise.resolve([]),
    questionRefs(db, rows.map((r) => r.question_id)),
  ]);
  const nameOf = (id: string | null) => (id ? { id, name: people.find((p) => p.id === id)?.name ?? '' } : null);

  return rows.map((row) => {
    const interviewers = panels
      .filter((p) => p.interview_id === row.id)
      .map((p) => ({
        id: p.person_id,
        name: p.name,
        response: p.response,
        respondedAt: p.responded_at,
        scorecardSubmitted: scorecards.some((s) => s.interview_id === row.id && s.interviewer_id === p.person_id),
      }));
    // Feedback is expected from every interviewer who did not decline.
    const expected = interviewers.filter((i) => i.response !== 'declined');
    const submitted = expected.filter((i) => i.scorecardSubmitted).length;
    const endsAt = new Date(row.starts_at.getTime() + row.duration_minutes * 60_000);
    const decision = decisions.find((d) => d.interview_id === row.id);
    const me = interviewers.find((i) => i.id === viewerId);
    return {
      id: row.id,
      version: row.version,
      status: row.status,
      position: row.position,
      startsAt: row.starts_at,
      endsAt,
      durationMinutes: row.duration_minutes,
      candidate: { name: candidates.find((c) => c.id === row.candidate_id)?.name ?? '' },
      recruiter: nameOf(row.recruiter_id)!,
      hiringManager: nameOf(row.hiring_manager_id),
      interviewers,
      feedback: {
        expected: expected.length,
        submitted,
        status:
          row.status === 'cancelled'
            ? ('not_needed' as const)
            : submitted >= expected.length && expected.length > 0
              ? ('complete' as const)
              : ('waiting' as const),
      },
      decision: decision ? { decision: decision.decision, decidedAt: decision.decided_at } : null,
      question: (row.question_id && questions.get(row.question_id)) || null,
      me: me ? { response: me.response, scorecardSubmitted: me.scorecardSubmitted } : null,
    };
  });
}

export type InterviewSummary = Awaited<ReturnType<typeof summaries>>[number];

/** One page of the list, and where the next one starts (null: this was the last). */
export async function listInterviews(
  db: Db,
  viewer: MemberPrincipal,
  filter: InterviewFilter,
): Promise<{ interviews: InterviewSummary[]; next: ListPosition | null }> {
  const order = filter.order ?? 'asc';
  let query = db.selectFrom('interviews').selectAll('interviews');
  if (!seesAllInterviews(viewer) || filter.mine) query = query.where('interviews.id', 'in', involving(db, viewer.person.id));
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.from) query = query.where('starts_at', '>=', filter.from);
  if (filter.to) query = query.where('starts_at', '<', filter.to);
  if (filter.after) {
    const { startsAt, id } = filter.after;
    query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('starts_at', 'id'), order === 'asc' ? '>' : '<', tuple(startsAt, id)));
  }
  // One more than asked: whether there is a next page, without counting.
  const rows = await query.orderBy('starts_at', order).orderBy('id', order).limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    interviews: await summaries(db, page, viewer.person.id),
    next: rows.length > filter.limit && last ? { startsAt: last.starts_at, id: last.id } : null,
  };
}

/**
 * One interview as `viewer` may see it (the route's policy has already checked that they may). Candidate contact
 * details go to recruiters and admins only.
 */
export async function getInterviewDetail(db: Db, viewer: MemberPrincipal, id: string) {
  const row = await db.selectFrom('interviews').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw interviewNotFound(id);
  const [summary] = await summaries(db, [row], viewer.person.id);
  const [candidate, room, cards] = await Promise.all([
    db.selectFrom('candidates').selectAll().where('id', '=', row.candidate_id).executeTakeFirstOrThrow(),
    db.selectFrom('rooms').select(['expires_at', 'ended_at', 'candidate_joined_at', 'candidate_name', 'started_at']).where('interview_id', '=', id).executeTakeFirst(),
    db
      .selectFrom('scorecards as s')
      .innerJoin('people as p', 'p.id', 's.interviewer_id')
      .select(['s.id', 's.interviewer_id', 'p.name', 's.rating', 's.skill_notes', 's.summary', 's.submitted_at'])
      .where('s.interview_id', '=', id)
      .orderBy('s.submitted_at')
      .execute(),
  ]);

  // Peers' feedback stays hidden from a panelist until they have submitted their own (no anchoring).
  const onPanel = summary!.me !== null;
  const ownSubmitted = cards.some((c) => c.interviewer_id === viewer.person.id);
  const seesAll = !onPanel || ownSubmitted;
  const visible = cards.filter((c) => seesAll || c.interviewer_id === viewer.person.id);
  const staff = seesAllInterviews(viewer);

  return {
    ...summary!,
    cancelledAt: row.cancelled_at,
    cancelReason: row.cancel_reason,
    completedAt: row.completed_at,
    candidate: {
      name: candidate.name,
      email: staff ? candidate.email : null,
      phone: staff ? candidate.phone : null,
    },
    room: room
      ? {
          expiresAt: room.expires_at,
          endedAt: room.ended_at,
          candidateJoinedAt: room.candidate_joined_at,
          candidateName: room.candidate_name,
          startedAt: room.started_at,
        }
      : null,
    scorecards: visible.map((c) => ({
      id: c.id,
      interviewer: { id: c.interviewer_id, name: c.name },
      rating: c.rating,
      skillNotes: c.skill_notes,
      summary: c.summary,
      submittedAt: c.submitted_at,
    })),
    hiddenScorecards: cards.length - visible.length,
  };
}

/**
 * A person's own interviews starting in [from, to) that still concern them (not cancelled, not declined): the
 * `today` / `week` bot commands and the digest read this.
 */
export async function interviewsOfPerson(db: Db, personId: string, range: { from: Date; to: Date }) {
  return db
    .selectFrom('interviews as i')
    .innerJoin('interview_interviewers as ii', 'ii.interview_id', 'i.id')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .select(['i.id', 'i.position', 'i.starts_at', 'i.duration_minutes', 'c.name as candidate_name', 'ii.response'])
    .where('ii.person_id', '=', personId)
    .where('ii.removed_at', 'is', null)
    .where('ii.response', '<>', 'declined')
    .where('i.status', '<>', 'cancelled')
    .where('i.starts_at', '>=', range.from)
    .where('i.starts_at', '<', range.to)
    .orderBy('i.starts_at')
    .execute();
}

/** Interviews that have started where `personId` is on the panel and has not submitted a scorecard (`pending`). */
export async function pendingScorecards(db: Db, personId: string, now: Date) {
  return db
    .selectFrom('interviews as i')
    .innerJoin('interview_interviewers as ii', 'ii.interview_id', 'i.id')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .select(['i.id', 'i.position', 'i.starts_at', 'i.duration_minutes', 'c.name as candidate_name'])
    .where('ii.person_id', '=', personId)
    .where('ii.removed_at', 'is', null)
    .where('ii.response', '<>', 'declined')
    .where('i.status', '<>', 'cancelled')
    .where('i.starts_at', '<=', now)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('scorecards as s').select('s.id').whereRef('s.interview_id', '=', 'i.id').where('s.interviewer_id', '=', personId))),
    )
    .orderBy('i.starts_at')
    .execute();
}

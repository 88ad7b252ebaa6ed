/**
 * What the renderers show, read from the database when a notification is delivered (not when it was written):
 * a reminder names the panel as it is now. Renderers get these plain objects and never touch the database.
 */
import type { Db } from '../../db/pool.ts';
import type { DecisionValue, InterviewerResponse, InterviewStatus, Rating } from '../../db/schema.ts';
import type { PersonName } from './format.ts';

export interface PersonView extends PersonName {
  id: string;
  wecomUserId: string;
  active: boolean;
}

export interface ScorecardView {
  id: string;
  interviewerId: string;
  interviewer: PersonName;
  rating: Rating;
  summary: string;
}

export interface InterviewView {
  id: string;
  status: InterviewStatus;
  position: string;
  startsAt: Date;
  durationMinutes: number;
  candidateName: string;
  cancelReason: string | null;
  recruiter: PersonView;
  hiringManager: PersonView | null;
  /** Interviewers not removed from the panel, in the order they were added. */
  panel: (PersonView & { response: InterviewerResponse })[];
  scorecards: ScorecardView[];
  decision: { decision: DecisionValue; decidedBy: PersonView } | null;
}

const personColumns = ['p.id', 'p.name', 'p.english_name', 'p.wecom_userid', 'p.active'] as const;

export function toPerson(row: { id: string; name: string; english_name: string | null; wecom_userid: string; active: boolean }): PersonView {
  return { id: row.id, name: row.name, englishName: row.english_name, wecomUserId: row.wecom_userid, active: row.active };
}

export async function loadPeople(db: Db, ids: readonly string[]): Promise<Map<string, PersonView>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('people as p').select(personColumns).where('p.id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, toPerson(r)]));
}

/** The interview as the renderers need it, or undefined when it no longer exists. */
export async function loadInterview(db: Db, id: string): Promise<InterviewView | undefined> {
  const row = await db
    .selectFrom('interviews as i')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .select(['i.id', 'i.status', 'i.position', 'i.starts_at', 'i.duration_minutes', 'i.cancel_reason', 'i.recruiter_id', 'i.hiring_manager_id', 'c.name as candidate_name'])
    .where('i.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const [panel, scorecards, decision] = await Promise.all([
    db
      .selectFrom('interview_interviewers as ii')
      .innerJoin('people as p', 'p.id', 'ii.person_id')
      .select([...personColumns, 'ii.response'])
      .where('ii.interview_id', '=', id)
      .where('ii.removed_at', 'is', null)
      .orderBy('ii.added_at')
      .orderBy('p.name')
      .execute(),
    db
      .selectFrom('scorecards as s')
      .innerJoin('people as p', 'p.id', 's.interviewer_id')
      .select(['s.id', 's.interviewer_id', 's.rating', 's.summary', 'p.name', 'p.english_name'])
      .where('s.interview_id', '=', id)
      .orderBy('s.submitted_at')
      .execute(),
    db.selectFrom('decisions').select(['decision', 'decided_by']).where('interview_id', '=', id).executeTakeFirst(),
  ]);
  const people = await loadPeople(db, [row.recruiter_id, row.hiring_manager_id, decision?.decided_by].filter((x): x is string => !!x));
  return {
    id: row.id,
    status: row.status,
    position: row.position,
    startsAt: row.starts_at,
    durationMinutes: row.duration_minutes,
    candidateName: row.candidate_name,
    cancelReason: row.cancel_reason,
    recruiter: people.get(row.recruiter_id)!,
    hiringManager: row.hiring_manager_id ? (people.get(row.hiring_manager_id) ?? null) : null,
    panel: panel.map((p) => ({ ...toPerson(p), response: p.response })),
    scorecards: scorecards.map((s) => ({
      id: s.id,
      interviewerId: s.interviewer_id,
      interviewer: { name: s.name, englishName: s.english_name },
      rating: s.rating,
      summary: s.summary,
    })),
    decision: decision ? { decision: decision.decision, decidedBy: people.get(decision.decided_by)! } : null,
  };
}

/** One line of a list of interviews (digest, bot replies). */
export interface InterviewLine {
  id: string;
  position: string;
  startsAt: Date;
  durationMinutes: number;
  candidateName: string;
}

/** Interviews by id that still take place (not cancelled), by start time. */
export async function loadInterviewLines(db: Db, ids: readonly string[]): Promise<InterviewLine[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('interviews as i')
    .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
    .select(['i.id', 'i.position', 'i.starts_at', 'i.duration_minutes', 'c.name as candidate_name'])
    .where('i.id', 'in', [...ids])
    .where('i.status', '<>', 'cancelled')
    .orderBy('i.starts_at')
    .execute();
  return rows.map(toLine);
}

export function toLine(row: { id: string; position: string; starts_at: Date; duration_minutes: number; candidate_name: string }): InterviewLine {
  return { id: row.id, position: row.position, startsAt: row.starts_at, durationMinutes: row.duration_minutes, candidateName: row.candidate_name };
}

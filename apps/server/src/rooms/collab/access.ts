/**
 * Who may open which room document over the collaboration socket: the same rules as the HTTP routes, asked again
 * for every document the socket names (one socket carries many; room-design.md §1). Members come with their
 * session cookie (interview participants: the panel, the interview's recruiter and hiring manager, recruiters,
 * admins); the candidate with the room link's token, sent as the provider's token `link:<token>`, and only for
 * the pad and the control document of that link's room.
 */
import type { Selectable } from 'kysely';
import type { AuthContext } from '../../auth/policies.ts';
import { isInterviewParticipant, memberFromSessionCookie } from '../../auth/policies.ts';
import { sessionCookieName } from '../../auth/sessions.ts';
import type { RoomsTable } from '../../db/schema.ts';
import { findRoomByToken } from '../links.ts';
import { candidateActor } from '../service.ts';
import { roomClosed } from '../state.ts';
import type { DocumentName } from './names.ts';
import { colorFor, type RoomPerson } from './people.ts';

export interface CookieTools {
  parseCookie(header: string): Record<string, string | undefined>;
  unsignCookie(raw: string): { valid: boolean; value: string | null };
}

/**
 * Why a document was refused; Hocuspocus sends `reason` to the client as the authentication failure's reason. The
 * message stays empty: Hocuspocus prints every hook error that has one, and a refusal is an answer, not a fault.
 */
export class RoomAccessDenied extends Error {
  override name = 'RoomAccessDenied';
  readonly reason: 'unauthenticated' | 'forbidden' | 'link_invalid' | 'not_started';
  constructor(reason: RoomAccessDenied['reason']) {
    super('');
    this.reason = reason;
  }
}

export interface Admitted {
  person: RoomPerson;
  readOnly: boolean;
  /** Candidates: the link they came with (kept in memory to check it again when the room changes). */
  linkToken?: string;
}

const LINK_PREFIX = 'link:';

export async function admit(
  context: AuthContext & { cookies: CookieTools },
  target: DocumentName,
  token: string,
  cookieHeader: string | null,
): Promise<Admitted> {
  if (token.startsWith(LINK_PREFIX)) return admitCandidate(context, target, token.slice(LINK_PREFIX.length));
  return admitMember(context, target, cookieHeader);
}

async function admitCandidate(context: AuthContext, target: DocumentName, linkToken: string): Promise<Admitted> {
  const room = await findRoomByToken(context.db, linkToken, context.clock);
  if (!room || room.interview_id !== target.interviewId) throw new RoomAccessDenied('link_invalid');
  if (target.kind === 'notes' || target.kind === 'panel') throw new RoomAccessDenied('forbidden');
  if (target.kind === 'code' && !room.started_at) throw new RoomAccessDenied('not_started');
  return { person: await candidatePerson(context, room), readOnly: target.kind === 'ctrl', linkToken };
}

async function candidatePerson(context: AuthContext, room: Selectable<RoomsTable>): Promise<RoomPerson> {
  const actor = await candidateActor(context.db, room);
  return { ...actor, color: colorFor('candidate', null) };
}

async function admitMember(context: AuthContext & { cookies: CookieTools }, target: DocumentName, cookieHeader: string | null): Promise<Admitted> {
  const raw = cookieHeader ? context.cookies.parseCookie(cookieHeader)[sessionCookieName(context.config.publicUrl)] : undefined;
  const member = await memberFromSessionCookie(raw, (value) => context.cookies.unsignCookie(value), context).catch(() => {
    throw new RoomAccessDenied('unauthenticated');
  });
  if (!(await isInterviewParticipant(context.db, member, target.interviewId))) throw new RoomAccessDenied('forbidden');
  const room = await context.db
    .selectFrom('rooms')
    .innerJoin('interviews', 'interviews.id', 'rooms.interview_id')
    .select(['rooms.ended_at', 'interviews.status'])
    .where('rooms.interview_id', '=', target.interviewId)
    .executeTakeFirst();
  if (!room) throw new RoomAccessDenied('forbidden');
  const ended = roomClosed(room);
  const person: RoomPerson = { kind: 'member', personId: member.person.id, name: member.person.name, color: colorFor('member', member.person.id) };
  switch (target.kind) {
    case 'code':
      return { person, readOnly: ended };
    case 'notes':
      // Each member writes their own notes, before, during and after the interview; the rest of the panel reads.
      return { person, readOnly: target.personId !== member.person.id };
    case 'ctrl':
    case 'panel':
      return { person, readOnly: true };
  }
}

/** Whether a candidate's link still opens the room (checked again when the room changes, and every minute). */
export async function linkStillValid(context: AuthContext, interviewId: string, linkToken: string): Promise<boolean> {
  const room = await findRoomByToken(context.db, linkToken, context.clock);
  return room?.interview_id === interviewId;
}

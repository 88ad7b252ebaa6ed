/**
 * Access control, declared per route (`config.policy`) and enforced for every route by one hook (http/app
 * hooks): a route without a policy cannot be registered. Each policy resolves the principal the handler runs as,
 * or throws 401 (no valid session) / 403 (not allowed; the body says nothing about the resource).
 */
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { onPanel } from '../interviews/queries.ts';
import { findRoomByToken } from '../rooms/links.ts';
import { rolesOf, seesAllInterviews, type CandidatePrincipal, type MemberPrincipal, type Principal, type Role } from './principal.ts';
import { findSessionPerson, sessionCookieName } from './sessions.ts';

export interface AuthContext {
  db: Db;
  clock: Clock;
  config: Config;
}

export interface Policy {
  /** Shown in the route list and in test failures. */
  readonly name: string;
  authorize(request: FastifyRequest, context: AuthContext): Promise<Principal | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function param(request: FastifyRequest, name: string): string | undefined {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

async function member(request: FastifyRequest, context: AuthContext): Promise<MemberPrincipal> {
  return memberFromSessionCookie(request.cookies[sessionCookieName(context.config.publicUrl)], (raw) => request.unsignCookie(raw), context);
}

/**
 * The member whose signed session cookie this is (HTTP requests, and the collaboration socket's upgrade request,
 * which carries the same cookie), or 401.
 */
export async function memberFromSessionCookie(
  raw: string | undefined,
  unsign: (raw: string) => { valid: boolean; value: string | null },
  { db, clock, config }: AuthContext,
): Promise<MemberPrincipal> {
  if (!raw) throw new UnauthenticatedError();
  const unsigned = unsign(raw);
  if (!unsigned.valid || !unsigned.value) {
    throw new UnauthenticatedError({ code: 'session_invalid', en: 'Your session is not valid any more: sign in again', zh: '你的登录已失效，请重新登录。' });
  }
  const person = await findSessionPerson(db, unsigned.value, clock);
  if (!person) throw new UnauthenticatedError({ code: 'session_expired', en: 'Your session has expired: sign in again', zh: '登录已过期，请重新登录。' });
  return { kind: 'member', person, roles: rolesOf(person, config.admins) };
}

/** Anyone, signed in or not (health check, sign-in, WeCom callbacks that verify their own signature). */
export const publicAccess: Policy = {
  name: 'public',
  async authorize() {
    return undefined;
  },
};

/** Any signed-in member; the handler scopes what it returns to them. */
export const signedIn: Policy = {
  name: 'signed-in',
  authorize: member,
};

/** Members holding at least one of `roles`. */
export function anyRole(...roles: Role[]): Policy {
  return {
    name: `role:${roles.join('|')}`,
    async authorize(request, context) {
      const principal = await member(request, context);
      if (!roles.some((role) => principal.roles.has(role))) throw new ForbiddenError();
      return principal;
    },
  };
}

type InterviewRelation = 'interviewer' | 'hiring_manager' | 'recruiter';

/**
 * Members related to the interview named by the `:id` parameter (in one of `relations`), plus recruiters and
 * admins when `staff` is true. Someone unrelated gets the same 403 whether the interview exists or not.
 */
function interviewAccess(name: string, relations: readonly InterviewRelation[], staffRoles: readonly Role[]): Policy {
  return {
    name,
    async authorize(request, context) {
      const principal = await member(request, context);
      if (!(await relatedToInterview(context.db, principal, param(request, 'id'), relations, staffRoles))) throw new ForbiddenError();
      return principal;
    },
  };
}

/** Whether `principal` holds one of `staffRoles`, or is related to the interview in one of `relations`. */
async function relatedToInterview(
  db: Db,
  principal: MemberPrincipal,
  interviewId: string | undefined,
  relations: readonly InterviewRelation[],
  staffRoles: readonly Role[],
): Promise<boolean> {
  if (staffRoles.some((role) => principal.roles.has(role))) return true;
  if (!interviewId || !UUID.test(interviewId)) return false;
  const personId = principal.person.id;
  const related = await db
    .selectFrom('interviews')
    .select('interviews.id')
    .where('interviews.id', '=', interviewId)
    .where((eb) =>
      eb.or([
        ...(relations.includes('interviewer') ? [onPanel(eb, personId)] : []),
        ...(relations.includes('hiring_manager') ? [eb('interviews.hiring_manager_id', '=', personId)] : []),
        ...(relations.includes('recruiter') ? [eb('interviews.recruiter_id', '=', personId)] : []),
      ]),
    )
    .executeTakeFirst();
  return related !== undefined;
}

/** The interview-participant rule (below) as a question, for the collaboration socket, which has no route. */
export function isInterviewParticipant(db: Db, principal: MemberPrincipal, interviewId: string): Promise<boolean> {
  return relatedToInterview(db, principal, interviewId, PARTICIPANT_RELATIONS, PARTICIPANT_STAFF);
}

const PARTICIPANT_RELATIONS: readonly InterviewRelation[] = ['interviewer', 'hiring_manager', 'recruiter'];
const PARTICIPANT_STAFF: readonly Role[] = ['recruiter', 'admin'];

/** Reading an interview: its panel, hiring manager and recruiter; recruiters and admins see all. */
export const interviewParticipant = interviewAccess('interview-participant', PARTICIPANT_RELATIONS, PARTICIPANT_STAFF);

/** Acting as a member of the panel (answer the invitation, submit a scorecard): only the panel itself. */
export const interviewPanelist = interviewAccess('interview-panelist', ['interviewer'], []);

/** Recording the hiring decision: recruiters, and the interview's own hiring manager. */
export const interviewDecider = interviewAccess('interview-decider', ['hiring_manager'], ['recruiter']);

/** Ending the interview: its panel, and recruiters. */
export const interviewRunner = interviewAccess('interview-runner', ['interviewer'], ['recruiter']);

/**
 * The candidate link: the `:token` parameter must open a live room, and the handler only ever sees that room.
 * A dead link (interview ended or cancelled, or past its expiry) is refused like a wrong one.
 */
export const candidateLink: Policy = {
  name: 'candidate-link',
  async authorize(request, { db, clock }): Promise<CandidatePrincipal> {
    const room = await findRoomByToken(db, param(request, 'token') ?? '', clock);
    if (!room) {
      throw new ForbiddenError({
        code: 'candidate_link_invalid',
        en: 'This interview link is not valid or has expired: ask your recruiter for a new one',
        zh: '这个面试链接无效或已过期，请联系招聘负责人获取新链接。',
      });
    }
    return { kind: 'candidate', room };
  },
};

export function requireMember(principal: Principal | undefined): MemberPrincipal {
  if (principal?.kind !== 'member') throw new ForbiddenError();
  return principal;
}

export function requireCandidate(principal: Principal | undefined): CandidatePrincipal {
  if (principal?.kind !== 'candidate') throw new ForbiddenError();
  return principal;
}

export { seesAllInterviews };

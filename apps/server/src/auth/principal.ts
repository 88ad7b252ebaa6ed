/**
 * Who is making a request. A member is a signed-in WeCom person with roles; a candidate holds a room link and
 * nothing else. Roles: admin comes from PAIRVIEW_ADMINS, recruiter and hiring_manager are granted by admins,
 * and every member is an interviewer.
 */
import type { Selectable } from 'kysely';
import type { PeopleTable, RoomsTable } from '../db/schema.ts';

export type Role = 'admin' | 'recruiter' | 'hiring_manager' | 'interviewer';
export const ROLES: readonly Role[] = ['admin', 'recruiter', 'hiring_manager', 'interviewer'];

export type PersonRow = Selectable<PeopleTable>;

export interface MemberPrincipal {
  kind: 'member';
  person: PersonRow;
  roles: ReadonlySet<Role>;
}

export interface CandidatePrincipal {
  kind: 'candidate';
  room: Selectable<RoomsTable>;
}

export type Principal = MemberPrincipal | CandidatePrincipal;

export function rolesOf(person: Pick<PersonRow, 'wecom_userid' | 'roles'>, admins: ReadonlySet<string>): Set<Role> {
  const roles = new Set<Role>(['interviewer', ...person.roles]);
  if (admins.has(person.wecom_userid)) roles.add('admin');
  return roles;
}

/** Recruiters and admins see every interview. */
export function seesAllInterviews(member: MemberPrincipal): boolean {
  return member.roles.has('recruiter') || member.roles.has('admin');
}

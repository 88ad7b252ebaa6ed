/**
 * The signed-in member, for every page behind sign-in. Candidates never pass through here: their room
 * (/r/:token) is outside this shell and never asks who is signed in.
 */
import { createContext, useContext } from 'react';
import type { Me, Role } from './api/types.ts';

export const MeContext = createContext<Me | undefined>(undefined);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the member shell');
  return me;
}

export function hasRole(me: Me, ...roles: Role[]): boolean {
  return roles.some((role) => me.roles.includes(role));
}

/** Recruiters and admins see every interview. */
export function isStaff(me: Me): boolean {
  return hasRole(me, 'recruiter', 'admin');
}

/** The name to show: the English name in English when there is one. */
export function displayName(person: { name: string; englishName?: string | null }, locale: 'zh' | 'en'): string {
  return locale === 'en' && person.englishName ? person.englishName : person.name;
}

/**
 * Who is in a room document, as the server says — never as the client says (room-design.md §6): names and
 * colours in awareness are stamped from the authenticated connection, colours from a fixed palette.
 */
import { createHash } from 'node:crypto';
import type { AuthorKind } from '../../db/schema.ts';

/** Colours readable as text on white and as a caret; the candidate always has the first (playback uses them too). */
export const PALETTE = ['#d9480f', '#1971c2', '#2f9e44', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5f3dc4', '#66a80f'] as const;
const CANDIDATE_COLOR = PALETTE[0];

export interface RoomPerson {
  kind: AuthorKind;
  /** Members only. */
  personId: string | null;
  name: string;
  color: string;
}

export function colorFor(kind: AuthorKind, personId: string | null): string {
  if (kind === 'candidate' || !personId) return CANDIDATE_COLOR;
  const index = createHash('sha256').update(personId).digest()[0]! % (PALETTE.length - 1);
  return PALETTE[index + 1]!;
}

/** The `user` field of an awareness state, in the shape y-codemirror.next reads (name, color, colorLight). */
export function awarenessUser(person: RoomPerson) {
  return { name: person.name, color: person.color, colorLight: `${person.color}33`, kind: person.kind, personId: person.personId };
}

/**
 * The documents of a room, by name. Names are strings the client chooses, so only these four shapes exist and the
 * interview in the name must be the one the socket was opened for (room-design.md §6):
 *   code:<interview>            the pad (Y.Text "code"), shared with the candidate
 *   ctrl:<interview>            the room's state (Y.Map "room-states": revision → state), mirrored from PostgreSQL;
 *                               nobody else writes it, and the state with the highest revision is the room's
 *   panel:<interview>           what only the panel sees live (Y.Array "signals"); never the candidate
 *   notes:<interview>:<person>  one member's private notes (Y.Text "notes"); the panel reads, the owner writes
 */
export type DocumentKind = 'code' | 'ctrl' | 'panel' | 'notes';

export interface DocumentName {
  kind: DocumentKind;
  interviewId: string;
  /** notes only: whose notes. */
  personId?: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const NAME = new RegExp(`^(code|ctrl|panel):(${UUID})$|^notes:(${UUID}):(${UUID})$`);

export function parseDocumentName(name: string): DocumentName | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  if (match[1]) return { kind: match[1] as DocumentKind, interviewId: match[2]! };
  return { kind: 'notes', interviewId: match[3]!, personId: match[4]! };
}

export function documentName(kind: 'code' | 'ctrl' | 'panel', interviewId: string): string;
export function documentName(kind: 'notes', interviewId: string, personId: string): string;
export function documentName(kind: DocumentKind, interviewId: string, personId?: string): string {
  return kind === 'notes' ? `notes:${interviewId}:${personId}` : `${kind}:${interviewId}`;
}

/** Documents kept in PostgreSQL with every update (playback); ctrl and panel are rebuilt from tables. */
export function isPersisted(kind: DocumentKind): boolean {
  return kind === 'code' || kind === 'notes';
}

/** The shared types inside each document. */
export const SHARED = { code: 'code', notes: 'notes', roomStates: 'room-states', signals: 'signals' } as const;

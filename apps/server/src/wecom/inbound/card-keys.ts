/**
 * The button keys of Pairview's interactive cards, the contract between the outbound side (which sends the cards)
 * and the click handler here (glue.md): `invite:accept:<interviewId>`, `invite:decline:<interviewId>`,
 * `decision:advance|another_round|reject:<interviewId>` (built by outbound/card-keys.ts). WeCom hands the clicked key back verbatim as the
 * callback's EventKey (wecom-protocol.md §6.10); keys are at most 1024 bytes (§3.2), ours are under 60.
 */
import type { DecisionValue } from '../../db/schema.ts';

export type InvitationAnswer = 'accepted' | 'declined';

export type CardKey =
  | { kind: 'invite'; response: InvitationAnswer; interviewId: string }
  | { kind: 'decision'; decision: DecisionValue; interviewId: string };

const INVITE_ACTIONS = { accept: 'accepted', decline: 'declined' } as const satisfies Record<string, InvitationAnswer>;
const DECISIONS = ['advance', 'another_round', 'reject'] as const satisfies readonly DecisionValue[];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The clicked button as Pairview means it; undefined for a key that is not one of ours. */
export function parseCardKey(key: string): CardKey | undefined {
  const [kind, action, interviewId, ...rest] = key.split(':');
  if (rest.length > 0 || !action || !interviewId || !UUID.test(interviewId)) return undefined;
  const id = interviewId.toLowerCase();
  if (kind === 'invite' && Object.hasOwn(INVITE_ACTIONS, action)) {
    return { kind: 'invite', response: INVITE_ACTIONS[action as keyof typeof INVITE_ACTIONS], interviewId: id };
  }
  if (kind === 'decision' && (DECISIONS as readonly string[]).includes(action)) {
    return { kind: 'decision', decision: action as DecisionValue, interviewId: id };
  }
  return undefined;
}

/**
 * The card contract with the inbound glue (/work/notes/glue.md): button keys carry the action and the interview,
 * so a click can be handled from the key alone; task ids are unique per app (§3.2: `[0-9A-Za-z_\-@]`, ≤128 bytes)
 * and derived from the outbox row and the recipient, so a resent card has the same one.
 */
import type { DecisionValue } from '../../db/schema.ts';
import type { CardKind } from './tables.ts';

export type InviteAction = 'accept' | 'decline';

/** `invite:accept:<interviewId>` / `invite:decline:<interviewId>` (≤1024 bytes, §3.2). */
export function inviteKey(action: InviteAction, interviewId: string): string {
  return `invite:${action}:${interviewId}`;
}

/** `decision:advance|another_round|reject:<interviewId>`. */
export function decisionKey(decision: DecisionValue, interviewId: string): string {
  return `decision:${decision}:${interviewId}`;
}

const TASK_PREFIX: Record<CardKind, string> = { invite: 'inv', decision: 'dec' };

/** `inv-<outboxId>-<personId>`: 80 bytes of letters, digits and "-". */
export function cardTaskId(kind: CardKind, outboxId: string, personId: string): string {
  return `${TASK_PREFIX[kind]}-${outboxId}-${personId}`;
}

export function cardKindOfTask(taskId: string): CardKind | undefined {
  if (taskId.startsWith('inv-')) return 'invite';
  if (taskId.startsWith('dec-')) return 'decision';
  return undefined;
}

/**
 * Who a message reaches (wecom-protocol.md §3.1, §3.4): userids case-insensitive, departments expanded
 * recursively, tags (their members and departments), all limited to the app's visible range. Ids that are
 * unknown or outside the range come back as invaliduser (lower-cased) / invalidparty / invalidtag.
 */
import type { AppConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { DirectoryUser, EmulatorState } from '../state/index.ts';

export interface RecipientLists {
  users: string[];
  parties: string[];
  tags: string[];
}

export interface ResolvedRecipients {
  users: DirectoryUser[];
  invaliduser: string[];
  invalidparty: string[];
  invalidtag: string[];
  /** Whether any named user, department or tag was valid (if none was: 81013). */
  anyValid: boolean;
}

/** Splits a `|`-joined recipient string, trimming spaces (the doc's examples have "TagID1 | TagID2"). */
export function splitIds(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw new ApiError(40058, { text: `invalid Request Parameter, ${field} must be a string of ids joined by "|"` });
  return value.split('|').map((id) => id.trim()).filter((id) => id !== '');
}

/** Members who can receive: not disabled (2) and not gone (5). */
function canReceive(user: DirectoryUser): boolean {
  return user.status !== 2 && user.status !== 5;
}

export function resolveRecipients(state: EmulatorState, app: AppConfig, lists: RecipientLists): ResolvedRecipients {
  const { directory } = state;
  const byKey = new Map<string, DirectoryUser>();
  const add = (user: DirectoryUser) => {
    if (canReceive(user) && state.isVisible(app, user)) byKey.set(user.userid.toLowerCase(), user);
  };
  const invaliduser: string[] = [];
  const invalidparty: string[] = [];
  const invalidtag: string[] = [];
  let anyValid = false;

  if (lists.users.length === 1 && lists.users[0] === '@all') {
    // @all = everyone in the app's visible range; toparty/totag are then ignored (§3.1).
    for (const user of directory.users()) add(user);
    return { users: [...byKey.values()], invaliduser, invalidparty, invalidtag, anyValid: true };
  }

  for (const id of lists.users) {
    const user = directory.user(id);
    if (user && canReceive(user) && state.isVisible(app, user)) {
      add(user);
      anyValid = true;
    } else {
      invaliduser.push(id.toLowerCase());
    }
  }
  for (const id of lists.parties) {
    const departmentId = /^\d+$/.test(id) ? Number(id) : Number.NaN;
    if (!directory.department(departmentId) || !state.isDepartmentVisible(app, departmentId)) {
      invalidparty.push(id);
      continue;
    }
    anyValid = true;
    for (const user of directory.usersInDepartment(departmentId, true)) add(user);
  }
  for (const id of lists.tags) {
    const tag = /^\d+$/.test(id) ? directory.tag(Number(id)) : undefined;
    if (!tag) {
      invalidtag.push(id);
      continue;
    }
    anyValid = true;
    for (const userid of tag.userlist ?? []) {
      const user = directory.user(userid);
      if (user) add(user);
    }
    for (const departmentId of tag.partylist ?? []) for (const user of directory.usersInDepartment(departmentId, true)) add(user);
  }
  return { users: [...byKey.values()], invaliduser, invalidparty, invalidtag, anyValid };
}

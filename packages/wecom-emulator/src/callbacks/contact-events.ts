/**
 * A directory write as the change_contact callback WeCom sends for it (wecom-protocol.md §6.10): FromUserName
 * `sys`, no AgentID, one ChangeType per write. update_user and update_party carry only the fields that changed
 * (plus NewUserID when the userid itself changed), as WeCom does.
 */
import type { ContactChange, DirectoryDepartment, DirectoryUser } from '../state/directory.ts';
import type { CallbackEventRequest } from './events.ts';

/** DirectoryUser (contact API JSON, §8) key → change_contact field of the SDK's event table. */
const USER_FIELDS: Record<string, (user: DirectoryUser) => [string, unknown] | undefined> = {
  name: (u) => ['name', u.name],
  department: (u) => ['department', u.department],
  main_department: (u) => (u.main_department === undefined ? undefined : ['mainDepartment', u.main_department]),
  is_leader_in_dept: (u) => (u.is_leader_in_dept === undefined ? undefined : ['isLeaderInDept', u.is_leader_in_dept]),
  direct_leader: (u) => (u.direct_leader === undefined ? undefined : ['directLeader', u.direct_leader]),
  position: (u) => (u.position === undefined ? undefined : ['position', u.position]),
  mobile: (u) => (u.mobile === undefined ? undefined : ['mobile', u.mobile]),
  // The contact API sends gender as a string ("1"); the callback as a number (<Gender>1</Gender>).
  gender: (u) => (u.gender === undefined ? undefined : ['gender', Number(u.gender)]),
  email: (u) => (u.email === undefined ? undefined : ['email', u.email]),
  biz_mail: (u) => (u.biz_mail === undefined ? undefined : ['bizMail', u.biz_mail]),
  status: (u) => (u.status === undefined ? undefined : ['status', u.status]),
  avatar: (u) => (u.avatar === undefined ? undefined : ['avatar', u.avatar]),
  alias: (u) => (u.alias === undefined ? undefined : ['alias', u.alias]),
  telephone: (u) => (u.telephone === undefined ? undefined : ['telephone', u.telephone]),
  address: (u) => (u.address === undefined ? undefined : ['address', u.address]),
};

function userFields(user: DirectoryUser, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const entry = USER_FIELDS[key]?.(user);
    if (entry) out[entry[0]] = entry[1];
  }
  return out;
}

function partyFields(department: DirectoryDepartment, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (keys.includes('name')) out.name = department.name;
  if (keys.includes('parentid')) out.parentId = department.parentid;
  if (keys.includes('order') && department.order !== undefined) out.order = department.order;
  return out;
}

export function contactChangeEvent(change: ContactChange): CallbackEventRequest {
  const base = { type: 'change_contact' as const, fromUserName: 'sys' };
  switch (change.changeType) {
    case 'create_user':
      return { ...base, changeType: 'create_user', userId: change.userid, ...userFields(change.user, Object.keys(USER_FIELDS)) } as CallbackEventRequest;
    case 'update_user':
      return {
        ...base,
        changeType: 'update_user',
        userId: change.userid,
        ...(change.newUserid !== undefined ? { newUserId: change.newUserid } : {}),
        ...userFields(change.user, change.changed),
      } as CallbackEventRequest;
    case 'delete_user':
      return { ...base, changeType: 'delete_user', userId: change.userid };
    case 'create_party':
      return { ...base, changeType: 'create_party', id: change.department.id, ...partyFields(change.department, ['name', 'parentid', 'order']) } as CallbackEventRequest;
    case 'update_party':
      return { ...base, changeType: 'update_party', id: change.department.id, ...partyFields(change.department, change.changed) } as CallbackEventRequest;
    case 'delete_party':
      return { ...base, changeType: 'delete_party', id: change.id };
  }
}

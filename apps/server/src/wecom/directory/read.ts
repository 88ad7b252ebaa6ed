/**
 * Reading the whole WeCom directory through the SDK, in Pairview's words (people/people.ts DirectoryMember).
 * With the app's own token (no contact-sync secret needed): the department tree the app can see
 * (department/simplelist), then each department's members with details (user/list) — wecom-protocol.md §8.
 */
import type { User, WeComClient } from '@pairview/wecom';
import type { DirectoryMember } from '../../people/people.ts';

/** Latin letters and no CJK: WeCom's `alias` (别名) holds the English name in most companies, but not always. */
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * One WeCom member (user/get, user/list, or a change_contact event's fields) as a DirectoryMember. `status` is
 * WeCom's: 1 active, 2 disabled, 4 not activated, 5 left (§8); only 1 may use Pairview.
 */
export function memberFromWeCom(user: Pick<User, 'userid' | 'name' | 'alias' | 'department' | 'status'>): DirectoryMember {
  const alias = user.alias?.trim();
  return {
    wecomUserId: user.userid,
    name: user.name || user.userid,
    englishName: alias && !CJK.test(alias) ? alias : null,
    departmentIds: [...new Set(user.department ?? [])],
    // user/list always carries status; a member listed without one is taken as active.
    active: user.status === undefined || user.status === 1,
  };
}

/**
 * Every member the app can see, once each (a member of several departments is listed by each). Throws if any
 * read fails: a partial list must never reach syncDirectory, which deactivates whoever is missing.
 */
export async function readDirectory(client: WeComClient, options: { signal?: AbortSignal } = {}): Promise<DirectoryMember[]> {
  const departments = await client.contacts.listDepartmentsSimple(undefined, options);
  const members = new Map<string, DirectoryMember>();
  for (const department of departments) {
    // user/list takes one department without its children (fetch_child is legacy, §8).
    for (const user of await client.contacts.listUsers(department.id, options)) {
      const key = user.userid.toLowerCase(); // userids are case-insensitive in WeCom
      if (!members.has(key)) members.set(key, memberFromWeCom(user));
    }
  }
  return [...members.values()];
}

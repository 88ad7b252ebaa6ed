/**
 * The company directory: departments (root = 1), members and tags, as WeCom's contact APIs show them
 * (wecom-protocol.md §8). Userids are case-insensitive (§1.11): members are keyed by the lower-cased userid and
 * keep the spelling they were created with. Every write reports a ContactChange so the caller (API route or
 * console) can decide whether a change_contact callback follows (§6.7: API-made changes are not called back).
 */

export interface DirectoryDepartment {
  id: number;
  name: string;
  name_en?: string;
  /** 0 for the root department. */
  parentid: number;
  order?: number;
  department_leader?: string[];
}

export interface DirectoryUser {
  userid: string;
  name: string;
  /** Department ids; parallel to `order` and `is_leader_in_dept`. */
  department: number[];
  order?: number[];
  is_leader_in_dept?: number[];
  main_department?: number;
  direct_leader?: string[];
  position?: string;
  mobile?: string;
  /** WeCom sends gender as a string: "0" unknown, "1" male, "2" female (§8). */
  gender?: '0' | '1' | '2';
  email?: string;
  biz_mail?: string;
  telephone?: string;
  /** The member's alias; the demo company keeps the English name here. */
  alias?: string;
  address?: string;
  avatar?: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left the company (§8). */
  status?: 1 | 2 | 4 | 5;
  extattr?: { attrs: unknown[] };
}

export interface DirectoryTag {
  tagid: number;
  tagname: string;
  userlist?: string[];
  partylist?: number[];
}

/** The JSON shape of a directory file (--directory FILE, PUT /_emulator/directory). */
export interface DirectoryData {
  departments: DirectoryDepartment[];
  users: DirectoryUser[];
  tags?: DirectoryTag[];
}

/** One contact change, shaped like the change_contact callback's fields (§6.10). */
export type ContactChange =
  | { changeType: 'create_user'; userid: string; user: DirectoryUser }
  | { changeType: 'update_user'; userid: string; newUserid?: string; user: DirectoryUser; changed: string[] }
  | { changeType: 'delete_user'; userid: string }
  | { changeType: 'create_party'; department: DirectoryDepartment }
  | { changeType: 'update_party'; department: DirectoryDepartment; changed: string[] }
  | { changeType: 'delete_party'; id: number };

/** A directory that cannot be loaded; the message names the entry and what to fix. */
export class DirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryError';
  }
}

/** userid: 1–64 bytes of [0-9A-Za-z_-@.], first character alphanumeric (§1.11). */
export const USERID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$/;
/** Department names may not contain :?*"<>/ (errcode 60009). */
const DEPARTMENT_NAME_FORBIDDEN = /[:?*"<>/]/;

export class Directory {
  readonly #departments = new Map<number, DirectoryDepartment>();
  /** Keyed by lower-cased userid. */
  readonly #users = new Map<string, DirectoryUser>();
  readonly #tags = new Map<number, DirectoryTag>();

  constructor(data: DirectoryData) {
    Directory.validate(data);
    for (const department of data.departments) this.#departments.set(department.id, structuredClone(department));
    for (const user of data.users) this.#users.set(user.userid.toLowerCase(), withDefaults(structuredClone(user)));
    for (const tag of data.tags ?? []) this.#tags.set(tag.tagid, structuredClone(tag));
  }

  /** Checks a directory file and throws a DirectoryError naming the first problem. */
  static validate(data: unknown): asserts data is DirectoryData {
    if (!isObject(data) || !Array.isArray(data.departments) || !Array.isArray(data.users)) {
      throw new DirectoryError('a directory is an object with "departments" and "users" arrays (and optionally "tags")');
    }
    const ids = new Set<number>();
    for (const [index, department] of (data.departments as unknown[]).entries()) {
      if (!isObject(department) || !Number.isInteger(department.id) || (department.id as number) < 1) {
        throw new DirectoryError(`departments[${index}]: "id" must be a positive integer`);
      }
      if (typeof department.name !== 'string' || department.name === '') {
        throw new DirectoryError(`departments[${index}] (id ${department.id}): "name" must be a non-empty string`);
      }
      if (!Number.isInteger(department.parentid)) {
        throw new DirectoryError(`departments[${index}] (id ${department.id}): "parentid" must be an integer (0 for the root)`);
      }
      if (ids.has(department.id as number)) throw new DirectoryError(`departments: id ${department.id} appears twice`);
      ids.add(department.id as number);
    }
    if (!ids.has(1)) throw new DirectoryError('departments: the root department (id 1, parentid 0) is missing');
    for (const department of data.departments as DirectoryDepartment[]) {
      if (department.id !== 1 && !ids.has(department.parentid)) {
        throw new DirectoryError(`department ${department.id}: parent ${department.parentid} does not exist`);
      }
    }
    const userids = new Set<string>();
    for (const [index, user] of (data.users as unknown[]).entries()) {
      if (!isObject(user) || typeof user.userid !== 'string' || !USERID_PATTERN.test(user.userid)) {
        throw new DirectoryError(`users[${index}]: "userid" must be 1-64 characters of 0-9 A-Z a-z _ - @ . starting with a letter or digit`);
      }
      if (typeof user.name !== 'string' || user.name === '') throw new DirectoryError(`user ${user.userid}: "name" must be a non-empty string`);
      if (!Array.isArray(user.department) || user.department.length === 0) {
        throw new DirectoryError(`user ${user.userid}: "department" must be a non-empty array of department ids`);
      }
      for (const id of user.department as unknown[]) {
        if (!ids.has(id as number)) throw new DirectoryError(`user ${user.userid}: department ${String(id)} does not exist`);
      }
      const key = user.userid.toLowerCase();
      if (userids.has(key)) throw new DirectoryError(`users: userid ${user.userid} appears twice (userids are case-insensitive)`);
      userids.add(key);
    }
    for (const [index, tag] of ((data.tags ?? []) as unknown[]).entries()) {
      if (!isObject(tag) || !Number.isInteger(tag.tagid) || typeof tag.tagname !== 'string') {
        throw new DirectoryError(`tags[${index}]: needs an integer "tagid" and a string "tagname"`);
      }
    }
  }

  toJSON(): DirectoryData {
    return {
      departments: [...this.#departments.values()].map((d) => structuredClone(d)),
      users: [...this.#users.values()].map((u) => structuredClone(u)),
      tags: [...this.#tags.values()].map((t) => structuredClone(t)),
    };
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────────────────

  department(id: number): DirectoryDepartment | undefined {
    return this.#departments.get(id);
  }

  departments(): DirectoryDepartment[] {
    return [...this.#departments.values()].sort(byOrderThenId);
  }

  /** A department and all its descendants, parent before children (department/list with id, §8). */
  subtree(id: number): DirectoryDepartment[] {
    const root = this.#departments.get(id);
    if (!root) return [];
    const result: DirectoryDepartment[] = [root];
    for (let i = 0; i < result.length; i++) {
      const parentId = result[i]!.id;
      result.push(...[...this.#departments.values()].filter((d) => d.parentid === parentId && d.id !== parentId).sort(byOrderThenId));
    }
    return result;
  }

  /** The user, found case-insensitively (§1.11). */
  user(userid: string): DirectoryUser | undefined {
    return this.#users.get(userid.toLowerCase());
  }

  users(): DirectoryUser[] {
    return [...this.#users.values()];
  }

  /** Members of a department; with `recursive`, of its whole subtree (message/send toparty, §3.4). */
  usersInDepartment(id: number, recursive: boolean): DirectoryUser[] {
    const ids = new Set(recursive ? this.subtree(id).map((d) => d.id) : [id]);
    return this.users().filter((u) => u.department.some((d) => ids.has(d)));
  }

  tag(tagid: number): DirectoryTag | undefined {
    return this.#tags.get(tagid);
  }

  tags(): DirectoryTag[] {
    return [...this.#tags.values()];
  }

  // ── writes (each returns the change it made) ─────────────────────────────────────────────────────────────

  createDepartment(input: DirectoryDepartment): ContactChange {
    this.#departments.set(input.id, structuredClone(input));
    return { changeType: 'create_party', department: structuredClone(input) };
  }

  updateDepartment(id: number, patch: Partial<Omit<DirectoryDepartment, 'id'>>): ContactChange {
    const department = this.#departments.get(id);
    if (!department) throw new DirectoryError(`department ${id} does not exist`);
    const changed = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
    Object.assign(department, definedOnly(patch));
    return { changeType: 'update_party', department: structuredClone(department), changed };
  }

  deleteDepartment(id: number): ContactChange {
    this.#departments.delete(id);
    return { changeType: 'delete_party', id };
  }

  createUser(input: DirectoryUser): ContactChange {
    const user = withDefaults(structuredClone(input));
    this.#users.set(user.userid.toLowerCase(), user);
    return { changeType: 'create_user', userid: user.userid, user: structuredClone(user) };
  }

  /** Applies a patch; `newUserid` renames the member (user/update new_userid, §8). */
  updateUser(userid: string, patch: Partial<Omit<DirectoryUser, 'userid'>>, newUserid?: string): ContactChange {
    const key = userid.toLowerCase();
    const user = this.#users.get(key);
    if (!user) throw new DirectoryError(`user ${userid} does not exist`);
    const changed = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
    Object.assign(user, definedOnly(patch));
    const oldUserid = user.userid;
    if (newUserid !== undefined && newUserid.toLowerCase() !== key) {
      this.#users.delete(key);
      user.userid = newUserid;
      this.#users.set(newUserid.toLowerCase(), user);
      for (const tag of this.#tags.values()) {
        tag.userlist = tag.userlist?.map((u) => (u.toLowerCase() === key ? newUserid : u));
      }
    }
    return {
      changeType: 'update_user',
      userid: oldUserid,
      ...(newUserid !== undefined && newUserid !== oldUserid ? { newUserid } : {}),
      user: structuredClone(user),
      changed,
    };
  }

  deleteUser(userid: string): ContactChange {
    const user = this.#users.get(userid.toLowerCase());
    this.#users.delete(userid.toLowerCase());
    for (const tag of this.#tags.values()) tag.userlist = tag.userlist?.filter((u) => u.toLowerCase() !== userid.toLowerCase());
    return { changeType: 'delete_user', userid: user?.userid ?? userid };
  }

  /** Department names: non-empty, ≤32 characters, none of :?*"<>/ (errcodes 60001, 60009). */
  static departmentNameProblem(name: unknown): 60001 | 60009 | undefined {
    if (typeof name !== 'string' || name.length === 0 || [...name].length > 32) return 60001;
    if (DEPARTMENT_NAME_FORBIDDEN.test(name)) return 60009;
    return undefined;
  }
}

function withDefaults(user: DirectoryUser): DirectoryUser {
  user.order ??= user.department.map(() => 0);
  user.is_leader_in_dept ??= user.department.map(() => 0);
  user.main_department ??= user.department[0];
  user.direct_leader ??= [];
  user.status ??= 1;
  user.gender ??= '0';
  return user;
}

function byOrderThenId(a: DirectoryDepartment, b: DirectoryDepartment): number {
  // WeCom sorts siblings by `order` descending (a larger order comes first), then by id.
  return (b.order ?? 0) - (a.order ?? 0) || a.id - b.id;
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

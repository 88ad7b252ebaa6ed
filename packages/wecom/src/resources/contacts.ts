/**
 * Contacts reads (wecom-protocol.md §8): departments and members within the app's visible range. Directory objects
 * keep WeCom's field names (`userid`, `main_department`, …) so they match WeCom's documentation field for field.
 */
import type { ApiCaller, WeComResponse } from '../http/types.ts';
import { Checker } from '../messages/checker.ts';

export interface Department {
  id: number;
  name: string;
  name_en?: string;
  department_leader?: string[];
  /** The root department (1) has parentid 0. */
  parentid: number;
  order?: number;
}

export interface DepartmentRef {
  id: number;
  parentid: number;
  order?: number;
}

/** user/get (§8). Since 2022 new self-built apps no longer receive mobile, email, avatar, gender etc. */
export interface User {
  userid: string;
  name: string;
  /** Parallel to `order` and `is_leader_in_dept`. */
  department: number[];
  order?: number[];
  position?: string;
  mobile?: string;
  /** "0" unknown, "1" male, "2" female. */
  gender?: string;
  email?: string;
  biz_mail?: string;
  is_leader_in_dept?: number[];
  direct_leader?: string[];
  avatar?: string;
  thumb_avatar?: string;
  telephone?: string;
  alias?: string;
  address?: string;
  open_userid?: string;
  main_department?: number;
  extattr?: { attrs: ExtAttr[] };
  /** 1 active, 2 disabled, 4 not activated, 5 left the corp. */
  status?: number;
  qr_code?: string;
  external_position?: string;
  external_profile?: {
    external_corp_name?: string;
    wechat_channels?: { nickname?: string; status?: number };
    external_attr?: ExtAttr[];
  };
}

export interface ExtAttr {
  /** 0 text, 1 web, 2 mini program. */
  type: number;
  name: string;
  text?: { value: string };
  web?: { url: string; title: string };
  miniprogram?: { appid: string; pagepath: string; title: string };
}

export interface SimpleUser {
  userid: string;
  name: string;
  department: number[];
  open_userid?: string;
}

/** One row of user/list_id: a member appears once per department. */
export interface UserDepartmentRow {
  userid: string;
  department: number;
}

/** user/list_id takes 1–10000 rows per page (§8). */
const LIST_ID_MAX = 10_000;

export class ContactsApi {
  readonly #api: ApiCaller;

  constructor(api: ApiCaller) {
    this.#api = api;
  }

  /** `GET /cgi-bin/department/list?id=` — departments under `id` (recursively), or all visible ones. */
  async listDepartments(id?: number, options: Signal = {}): Promise<Department[]> {
    checkDepartmentId(id, false);
    const r = await this.#api.call<WeComResponse & { department: Department[] }>({ method: 'GET', path: '/cgi-bin/department/list', query: { id }, signal: options.signal });
    return r.department ?? [];
  }

  /** `GET /cgi-bin/department/simplelist?id=` — ids only (the lighter call); the whole tree when id is omitted. */
  async listDepartmentsSimple(id?: number, options: Signal = {}): Promise<DepartmentRef[]> {
    checkDepartmentId(id, false);
    const r = await this.#api.call<WeComResponse & { department_id: DepartmentRef[] }>({ method: 'GET', path: '/cgi-bin/department/simplelist', query: { id }, signal: options.signal });
    return r.department_id ?? [];
  }

  /** `GET /cgi-bin/department/get?id=` — one department. */
  async getDepartment(id: number, options: Signal = {}): Promise<Department> {
    checkDepartmentId(id, true);
    const r = await this.#api.call<WeComResponse & { department: Department }>({ method: 'GET', path: '/cgi-bin/department/get', query: { id }, signal: options.signal });
    return r.department;
  }

  /** `GET /cgi-bin/user/get?userid=` — one member (userid is case-insensitive; 60111 when unknown). */
  async getUser(userid: string, options: Signal = {}): Promise<User> {
    const c = new Checker();
    c.string('userid', userid, { required: true, maxBytes: 64 });
    c.throwIfAny('getUser');
    const { errcode: _c, errmsg: _m, ...user } = await this.#api.call<WeComResponse & User>({ method: 'GET', path: '/cgi-bin/user/get', query: { userid }, signal: options.signal });
    return user;
  }

  /** `GET /cgi-bin/user/simplelist?department_id=` — members of a department: userid, name, departments. */
  async listUsersSimple(departmentId: number, options: Signal = {}): Promise<SimpleUser[]> {
    checkDepartmentId(departmentId, true, 'department_id');
    const r = await this.#api.call<WeComResponse & { userlist: SimpleUser[] }>({ method: 'GET', path: '/cgi-bin/user/simplelist', query: { department_id: departmentId }, signal: options.signal });
    return r.userlist ?? [];
  }

  /** `GET /cgi-bin/user/list?department_id=` — members of a department with their details. */
  async listUsers(departmentId: number, options: Signal = {}): Promise<User[]> {
    checkDepartmentId(departmentId, true, 'department_id');
    const r = await this.#api.call<WeComResponse & { userlist: User[] }>({ method: 'GET', path: '/cgi-bin/user/list', query: { department_id: departmentId }, signal: options.signal });
    return r.userlist ?? [];
  }

  /**
   * `POST /cgi-bin/user/list_id`, page after page: every (member, department) row of the corp, following
   * `next_cursor` until it comes back empty. WeCom allows this call with the contact-sync secret only (§8).
   */
  async *listUserIds(options: { limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<UserDepartmentRow, void, undefined> {
    const limit = options.limit ?? LIST_ID_MAX;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_ID_MAX) throw new RangeError(`limit must be an integer from 1 to ${LIST_ID_MAX}`);
    let cursor: string | undefined;
    do {
      const r = await this.#api.call<WeComResponse & { next_cursor?: string; dept_user?: UserDepartmentRow[] }>({
        method: 'POST',
        path: '/cgi-bin/user/list_id',
        body: cursor === undefined ? { limit } : { cursor, limit },
        // A read: repeating a page is harmless.
        retry: 'idempotent',
        signal: options.signal,
      });
      yield* r.dept_user ?? [];
      cursor = r.next_cursor || undefined;
    } while (cursor !== undefined);
  }
}

interface Signal {
  signal?: AbortSignal;
}

/** Department ids are 32-bit integers; the root is 1 (§1.11). */
function checkDepartmentId(id: number | undefined, required: boolean, name = 'id'): void {
  if (id === undefined && !required) return;
  if (!Number.isInteger(id) || (id as number) < 1 || (id as number) > 0xffffffff) {
    const c = new Checker();
    c.add(name, `${name} must be a department id (a positive integer; the root department is 1), got ${JSON.stringify(id)}`);
    c.throwIfAny('request');
  }
}

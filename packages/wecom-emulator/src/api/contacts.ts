/**
 * Contacts (wecom-protocol.md §8): departments, members, tags. Reads work with the app's token within its
 * visible range (60011 outside) or with the contact-sync token; writes and user/list_id need the contact-sync
 * token (48002 otherwise, configurable). API writes emit 'contact.changed' with origin 'api', which the callback
 * deliverer does not call back (§6.7).
 */
import { ApiError } from '../errors.ts';
import type { DirectoryDepartment, DirectoryUser } from '../state/index.ts';
import { Directory, USERID_PATTERN } from '../state/directory.ts';
import type { ApiContext, ApiRoute } from './pipeline.ts';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const MOBILE = /^[0-9+\-]{1,32}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** Fields new self-built apps no longer read through contact APIs (since 2022-06-20, §8). */
const SENSITIVE = ['avatar', 'thumb_avatar', 'gender', 'mobile', 'email', 'biz_mail', 'qr_code', 'address'] as const;

function requireWriter(ctx: ApiContext): void {
  if (ctx.state.config.contactWritesNeedSyncSecret && ctx.token?.kind !== 'contact-sync') throw new ApiError(48002);
}

function departmentId(value: unknown, missing: number): number {
  if (value === undefined || value === '') throw new ApiError(missing);
  const id = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(id)) throw new ApiError(40058, { text: `invalid Request Parameter, department id must be an integer (got ${JSON.stringify(value)})` });
  return id;
}

/** A department the caller may read: exists (60003) and is visible to the app (60011). */
function readableDepartment(ctx: ApiContext, id: number): DirectoryDepartment {
  const department = ctx.state.directory.department(id);
  if (!department) throw new ApiError(60003);
  if (ctx.app && !ctx.state.isDepartmentVisible(ctx.app, id)) throw new ApiError(60011);
  return department;
}

function departmentView(d: DirectoryDepartment) {
  return { id: d.id, name: d.name, name_en: d.name_en ?? '', department_leader: d.department_leader ?? [], parentid: d.parentid, order: d.order ?? 0 };
}

/** user/get's shape (§8), without the sensitive fields for app tokens. */
function userView(ctx: ApiContext, user: DirectoryUser): Record<string, unknown> {
  const view: Record<string, unknown> = {
    userid: user.userid,
    name: user.name,
    department: user.department,
    order: user.order ?? [],
    position: user.position ?? '',
    mobile: user.mobile ?? '',
    gender: user.gender ?? '0',
    email: user.email ?? '',
    biz_mail: user.biz_mail ?? '',
    is_leader_in_dept: user.is_leader_in_dept ?? [],
    direct_leader: user.direct_leader ?? [],
    avatar: user.avatar ?? '',
    thumb_avatar: user.avatar ? user.avatar.replace(/\/0$/, '/100') : '',
    telephone: user.telephone ?? '',
    alias: user.alias ?? '',
    address: user.address ?? '',
    main_department: user.main_department ?? user.department[0],
    extattr: user.extattr ?? { attrs: [] },
    status: user.status ?? 1,
    qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=emulator-${encodeURIComponent(user.userid)}`,
    external_position: '',
    external_profile: { external_corp_name: '', external_attr: [] },
  };
  if (ctx.app && !ctx.state.config.behaviour.appsReadSensitiveContactFields) for (const field of SENSITIVE) delete view[field];
  return view;
}

function readableUsers(ctx: ApiContext, users: DirectoryUser[]): DirectoryUser[] {
  return ctx.app ? users.filter((u) => ctx.state.isVisible(ctx.app!, u)) : users;
}

function usersOfDepartment(ctx: ApiContext): DirectoryUser[] {
  const id = departmentId(ctx.query.department_id, 40058);
  readableDepartment(ctx, id);
  // fetch_child is legacy but still honoured (§8).
  return readableUsers(ctx, ctx.state.directory.usersInDepartment(id, ctx.query.fetch_child === '1'));
}

function readUser(ctx: ApiContext, userid: unknown): DirectoryUser {
  if (typeof userid !== 'string' || userid === '') throw new ApiError(40003);
  const user = ctx.state.directory.user(userid);
  if (!user) throw new ApiError(60111, { text: `invalid string value \`${userid}\`. userid not found` });
  if (ctx.app && !ctx.state.isVisible(ctx.app, user)) throw new ApiError(60011);
  return user;
}

/** Checks the department list of user/create and user/update: present (60127), ids exist (40066). */
function checkDepartments(ctx: ApiContext, value: unknown): number[] {
  if (value === undefined) throw new ApiError(60127);
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > 100) throw new ApiError(40066);
  const ids = list.map((v) => (typeof v === 'number' ? v : Number(v)));
  if (!ids.every((id) => Number.isInteger(id) && ctx.state.directory.department(id))) throw new ApiError(40066);
  return ids;
}

function checkContactPoints(ctx: ApiContext, body: Record<string, unknown>, self?: DirectoryUser): void {
  if (body.mobile !== undefined && body.mobile !== '') {
    if (typeof body.mobile !== 'string' || !MOBILE.test(body.mobile)) throw new ApiError(60103);
    if (ctx.state.directory.users().some((u) => u !== self && u.mobile === body.mobile)) throw new ApiError(60104);
  }
  if (body.email !== undefined && body.email !== '') {
    if (typeof body.email !== 'string' || !EMAIL.test(body.email)) throw new ApiError(60105);
    if (ctx.state.directory.users().some((u) => u !== self && u.email?.toLowerCase() === (body.email as string).toLowerCase())) throw new ApiError(60106);
  }
}

/** The user fields user/create and user/update accept, copied from the request. */
function userFields(body: Record<string, unknown>, departments?: number[]): Partial<DirectoryUser> {
  const fields: Partial<DirectoryUser> = {};
  for (const key of ['name', 'alias', 'position', 'mobile', 'email', 'biz_mail', 'telephone', 'address', 'avatar'] as const) {
    if (typeof body[key] === 'string') fields[key] = body[key] as string;
  }
  if (body.gender !== undefined) fields.gender = String(body.gender) === '1' ? '1' : String(body.gender) === '2' ? '2' : '0';
  if (departments) {
    fields.department = departments;
    fields.order = Array.isArray(body.order) ? departments.map((_, i) => Number((body.order as unknown[])[i] ?? 0)) : departments.map(() => 0);
    fields.is_leader_in_dept = Array.isArray(body.is_leader_in_dept) ? (body.is_leader_in_dept as unknown[]).map((v) => (Number(v) ? 1 : 0)) : departments.map(() => 0);
    fields.main_department = typeof body.main_department === 'number' && departments.includes(body.main_department) ? body.main_department : departments[0];
  }
  if (Array.isArray(body.direct_leader)) fields.direct_leader = body.direct_leader.map(String).slice(0, 1);
  if (body.enable !== undefined) fields.status = Number(body.enable) === 0 ? 2 : 1;
  if (isObject(body.extattr)) fields.extattr = body.extattr as DirectoryUser['extattr'];
  return fields;
}

const userZero = { department: [], order: [], is_leader_in_dept: [], direct_leader: [] };

export const contactRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/cgi-bin/department/list',
    auth: 'access_token',
    zero: { department: [] },
    handle(ctx) {
      const root = ctx.query.id === undefined || ctx.query.id === '' ? 1 : departmentId(ctx.query.id, 40058);
      if (ctx.query.id !== undefined && ctx.query.id !== '') readableDepartment(ctx, root);
      const departments = ctx.state.directory.subtree(root).filter((d) => !ctx.app || ctx.state.isDepartmentVisible(ctx.app, d.id));
      return { department: departments.map(departmentView) };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/department/simplelist',
    auth: 'access_token',
    zero: { department_id: [] },
    handle(ctx) {
      const root = ctx.query.id === undefined || ctx.query.id === '' ? 1 : departmentId(ctx.query.id, 40058);
      if (ctx.query.id !== undefined && ctx.query.id !== '') readableDepartment(ctx, root);
      const departments = ctx.state.directory.subtree(root).filter((d) => !ctx.app || ctx.state.isDepartmentVisible(ctx.app, d.id));
      return { department_id: departments.map((d) => ({ id: d.id, parentid: d.parentid, order: d.order ?? 0 })) };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/department/get',
    auth: 'access_token',
    handle(ctx) {
      return { department: departmentView(readableDepartment(ctx, departmentId(ctx.query.id, 40058))) };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/department/create',
    auth: 'access_token',
    handle(ctx) {
      requireWriter(ctx);
      const body = ctx.body as Record<string, unknown>;
      const nameProblem = Directory.departmentNameProblem(body.name);
      if (nameProblem) throw new ApiError(nameProblem);
      const parentid = body.parentid === undefined ? Number.NaN : Number(body.parentid);
      if (!ctx.state.directory.department(parentid)) throw new ApiError(60004);
      const { directory } = ctx.state;
      let id: number;
      if (body.id !== undefined) {
        id = Number(body.id);
        if (!Number.isInteger(id) || id < 2) throw new ApiError(40058, { text: 'invalid Request Parameter, id must be an integer > 1' });
        if (directory.department(id)) throw new ApiError(60008);
      } else {
        id = Math.max(...directory.departments().map((d) => d.id)) + 1;
      }
      if (directory.departments().some((d) => d.parentid === parentid && d.name === body.name)) throw new ApiError(60008);
      ctx.state.changeContacts('api', (d) =>
        d.createDepartment({
          id,
          name: body.name as string,
          ...(typeof body.name_en === 'string' ? { name_en: body.name_en } : {}),
          parentid,
          order: typeof body.order === 'number' ? body.order : 0,
          department_leader: [],
        }),
      );
      return { errmsg: 'created', id };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/department/update',
    auth: 'access_token',
    handle(ctx) {
      requireWriter(ctx);
      const body = ctx.body as Record<string, unknown>;
      const id = departmentId(body.id, 60003);
      const { directory } = ctx.state;
      if (!directory.department(id)) throw new ApiError(60003);
      if (body.name !== undefined) {
        const problem = Directory.departmentNameProblem(body.name);
        if (problem) throw new ApiError(problem);
      }
      let parentid: number | undefined;
      if (body.parentid !== undefined) {
        parentid = Number(body.parentid);
        if (!directory.department(parentid)) throw new ApiError(60004);
        // Moving a department under itself or a descendant would make a cycle (60010).
        if (id === 1 || directory.subtree(id).some((d) => d.id === parentid)) throw new ApiError(60010);
      }
      ctx.state.changeContacts('api', (d) =>
        d.updateDepartment(id, {
          name: typeof body.name === 'string' ? body.name : undefined,
          name_en: typeof body.name_en === 'string' ? body.name_en : undefined,
          parentid,
          order: typeof body.order === 'number' ? body.order : undefined,
        }),
      );
      return { errmsg: 'updated' };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/department/delete',
    auth: 'access_token',
    handle(ctx) {
      requireWriter(ctx);
      const id = departmentId(ctx.query.id, 60003);
      const { directory } = ctx.state;
      if (!directory.department(id)) throw new ApiError(60003);
      if (id === 1) throw new ApiError(60007);
      if (directory.departments().some((d) => d.parentid === id)) throw new ApiError(60006);
      if (directory.usersInDepartment(id, false).length > 0) throw new ApiError(60005);
      ctx.state.changeContacts('api', (d) => d.deleteDepartment(id));
      return { errmsg: 'deleted' };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/user/get',
    auth: 'access_token',
    zero: userZero,
    handle(ctx) {
      return userView(ctx, readUser(ctx, ctx.query.userid));
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/user/simplelist',
    auth: 'access_token',
    zero: { userlist: [] },
    handle(ctx) {
      return { userlist: usersOfDepartment(ctx).map((u) => ({ userid: u.userid, name: u.name, department: u.department })) };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/user/list',
    auth: 'access_token',
    zero: { userlist: [] },
    handle(ctx) {
      return { userlist: usersOfDepartment(ctx).map((u) => userView(ctx, u)) };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/user/list_id',
    auth: 'access_token',
    zero: { next_cursor: '', dept_user: [] },
    handle(ctx) {
      // §8: contact-sync secret only (configurable with contactWritesNeedSyncSecret).
      requireWriter(ctx);
      const body = ctx.body as Record<string, unknown>;
      const limit = body.limit === undefined ? 10_000 : Number(body.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ApiError(40058, { text: 'invalid Request Parameter, limit must be 1-10000' });
      let offset = 0;
      if (body.cursor !== undefined && body.cursor !== '') {
        const decoded = typeof body.cursor === 'string' ? /^o(\d+)$/.exec(Buffer.from(body.cursor, 'base64url').toString('utf8')) : null;
        if (!decoded) throw new ApiError(40058, { text: 'invalid Request Parameter, invalid cursor' });
        offset = Number(decoded[1]);
      }
      // One row per (member, department), in a stable order (§8).
      const rows = ctx.state.directory
        .users()
        .sort((a, b) => a.userid.localeCompare(b.userid))
        .flatMap((u) => u.department.map((department) => ({ userid: u.userid, department })));
      const page = rows.slice(offset, offset + limit);
      const next = offset + limit < rows.length ? Buffer.from(`o${offset + limit}`).toString('base64url') : '';
      return { next_cursor: next, dept_user: page };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/user/create',
    auth: 'access_token',
    handle(ctx) {
      requireWriter(ctx);
      const body = ctx.body as Record<string, unknown>;
      if (typeof body.userid !== 'string' || !USERID_PATTERN.test(body.userid)) throw new ApiError(40003);
      if (typeof body.name !== 'string' || body.name === '' || [...body.name].length > 64) throw new ApiError(60112);
      const departments = checkDepartments(ctx, body.department);
      if (!body.mobile && !body.email) throw new ApiError(60129);
      if (ctx.state.directory.user(body.userid)) throw new ApiError(60102);
      checkContactPoints(ctx, body);
      if (Array.isArray(body.is_leader_in_dept) && body.is_leader_in_dept.length !== departments.length) throw new ApiError(60132);
      const user = { ...userFields(body, departments), userid: body.userid, name: body.name, department: departments } as DirectoryUser;
      ctx.state.changeContacts('api', (d) => d.createUser(user));
      return { errmsg: 'created' };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/user/update',
    auth: 'access_token',
    handle(ctx) {
      requireWriter(ctx);
      const body = ctx.body as Record<string, unknown>;
      if (typeof body.userid !== 'string' || body.userid === '') throw new ApiError(40003);
      const user = ctx.state.directory.user(body.userid);
      if (!user) throw new ApiError(60111, { text: `invalid string value \`${body.userid}\`. userid not found` });
      if (body.name !== undefined && (typeof body.name !== 'string' || body.name === '' || [...body.name].length > 64)) throw new ApiError(60112);
      const departments = body.department === undefined ? undefined : checkDepartments(ctx, body.department);
      checkContactPoints(ctx, body, user);
      let newUserid: string | undefined;
      if (body.new_userid !== undefined) {
        if (typeof body.new_userid !== 'string' || !USERID_PATTERN.test(body.new_userid)) throw new ApiError(40003);
        const existing = ctx.state.directory.user(body.new_userid);
        if (existing && existing !== user) throw new ApiError(60102);
        newUserid = body.new_userid;
      }
      ctx.state.changeContacts('api', (d) => d.updateUser(user.userid, userFields(body, departments), newUserid));
      return { errmsg: 'updated' };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/user/delete',
    auth: 'access_token',
    handle(ctx) {
      requireWriter(ctx);
      const user = ctx.query.userid ? ctx.state.directory.user(ctx.query.userid) : undefined;
      if (!ctx.query.userid) throw new ApiError(40003);
      if (!user) throw new ApiError(60111, { text: `invalid string value \`${ctx.query.userid}\`. userid not found` });
      ctx.state.changeContacts('api', (d) => d.deleteUser(user.userid));
      return { errmsg: 'deleted' };
    },
  },
  {
    method: 'POST',
    path: '/cgi-bin/user/getuserid',
    auth: 'access_token',
    handle(ctx) {
      const { mobile } = ctx.body as Record<string, unknown>;
      if (typeof mobile !== 'string' || mobile === '') throw new ApiError(40058, { text: 'invalid Request Parameter, mobile is required' });
      const user = ctx.state.directory.users().find((u) => u.mobile === mobile);
      if (!user || (ctx.app && !ctx.state.isVisible(ctx.app, user))) throw new ApiError(46004, { text: 'user not found' });
      return { userid: user.userid };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/tag/list',
    auth: 'access_token',
    zero: { taglist: [] },
    handle(ctx) {
      return { taglist: ctx.state.directory.tags().map((t) => ({ tagid: t.tagid, tagname: t.tagname })) };
    },
  },
  {
    method: 'GET',
    path: '/cgi-bin/tag/get',
    auth: 'access_token',
    zero: { userlist: [], partylist: [] },
    handle(ctx) {
      const tag = /^\d+$/.test(ctx.query.tagid ?? '') ? ctx.state.directory.tag(Number(ctx.query.tagid)) : undefined;
      if (!tag) throw new ApiError(40068);
      const userlist = (tag.userlist ?? []).flatMap((id) => {
        const user = ctx.state.directory.user(id);
        return user ? [{ userid: user.userid, name: user.name }] : [];
      });
      return { tagname: tag.tagname, userlist, partylist: tag.partylist ?? [] };
    },
  },
];

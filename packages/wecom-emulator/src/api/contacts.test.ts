import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../config.ts';
import type { EmulatorEvent } from '../state/index.ts';
import { startTestEmulator, type TestEmulator } from '../test-support.ts';

let emu: TestEmulator;
let app: string;
let sync: string;
beforeEach(async () => {
  emu ??= await startTestEmulator();
  emu.control.reset();
  app = await emu.token();
  sync = await emu.token(DEMO.contactSyncSecret);
});
afterAll(() => emu?.close());

const get = (path: string, query: Record<string, string | number>, token = app) => emu.call(`/cgi-bin/${path}`, { query, token });
const post = (path: string, body: unknown, token = sync) => emu.call(`/cgi-bin/${path}`, { body, token });

describe('departments (§8)', () => {
  it('department/list returns the whole tree, or a subtree with id', async () => {
    const all = await get('department/list', {});
    expect(all.errcode).toBe(0);
    expect((all.department as any[]).map((d) => d.id).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((all.department as any[])[0]).toEqual({ id: 1, name: '派维科技', name_en: 'Pairview', department_leader: ['gaofeng'], parentid: 0, order: 100 });
    const engineering = await get('department/list', { id: 2 });
    expect((engineering.department as any[]).map((d) => d.id)).toEqual([2, 3, 4]);
  });

  it('department/simplelist returns department_id rows; unknown id → 60003 with department_id: []', async () => {
    const list = await get('department/simplelist', { id: 6 });
    expect(list.department_id).toEqual([
      { id: 6, parentid: 1, order: 50 },
      { id: 7, parentid: 6, order: 40 },
    ]);
    const missing = await get('department/simplelist', { id: 99 });
    expect(missing).toMatchObject({ errcode: 60003, department_id: [] });
  });

  it('department/get returns one department', async () => {
    expect((await get('department/get', { id: 3 })).department).toMatchObject({ id: 3, name: '前端组', name_en: 'Frontend', parentid: 2 });
  });

  it('create, update, delete with the contact-sync token; app tokens get 48002', async () => {
    expect((await post('department/create', { name: '测试部', parentid: 1 }, app)).errcode).toBe(48002);
    const created = await post('department/create', { name: '测试部', name_en: 'QA', parentid: 2, order: 5 });
    expect(created).toMatchObject({ errcode: 0, errmsg: 'created', id: 8 });
    expect((await post('department/create', { name: '测试部', parentid: 2 })).errcode).toBe(60008);
    expect((await post('department/create', { name: 'a/b', parentid: 1 })).errcode).toBe(60009);
    expect((await post('department/create', { name: 'x', parentid: 99 })).errcode).toBe(60004);
    expect(await post('department/update', { id: 8, name: '质量部' })).toMatchObject({ errcode: 0, errmsg: 'updated' });
    expect((await post('department/update', { id: 2, parentid: 3 })).errcode).toBe(60010);
    expect((await post('department/update', { id: 99, name: 'x' })).errcode).toBe(60003);
    expect(await get('department/delete', { id: 8 }, sync)).toMatchObject({ errcode: 0, errmsg: 'deleted' });
    expect((await get('department/delete', { id: 1 }, sync)).errcode).toBe(60007);
    expect((await get('department/delete', { id: 6 }, sync)).errcode).toBe(60006);
    expect((await get('department/delete', { id: 3 }, sync)).errcode).toBe(60005);
  });
});

describe('members (§8)', () => {
  it('user/get finds a member case-insensitively; unknown → 60111 with zero-valued fields (§1.8)', async () => {
    const user = await get('user/get', { userid: 'LiNa' });
    expect(user).toMatchObject({ errcode: 0, userid: 'lina', name: '李娜', alias: 'Na Li', department: [3], main_department: 3, status: 1 });
    const missing = await get('user/get', { userid: 'ghost' });
    expect(missing).toMatchObject({ errcode: 60111, department: [], order: [], is_leader_in_dept: [], direct_leader: [] });
    expect(missing.errmsg).toMatch(/^invalid string value `ghost`\. userid not found, hint/);
  });

  it('app tokens do not read sensitive fields; the contact-sync token does (§8)', async () => {
    const viaApp = await get('user/get', { userid: 'lina' });
    expect(viaApp).not.toHaveProperty('mobile');
    expect(viaApp).not.toHaveProperty('email');
    const viaSync = await get('user/get', { userid: 'lina' }, sync);
    expect(viaSync).toMatchObject({ mobile: expect.any(String), email: 'lina@pairview.example', gender: '2' });
  });

  it('user/simplelist and user/list, with fetch_child', async () => {
    const simple = await get('user/simplelist', { department_id: 2 });
    expect((simple.userlist as any[]).map((u) => u.userid)).toEqual(['zhangwei', 'zhouqiang']);
    expect((simple.userlist as any[])[0]).toEqual({ userid: 'zhangwei', name: '张伟', department: [2] });
    const deep = await get('user/list', { department_id: 2, fetch_child: 1 });
    expect((deep.userlist as any[]).length).toBe(12);
    expect((deep.userlist as any[])[0]).toHaveProperty('position');
    expect((await get('user/list', { department_id: 99 })).errcode).toBe(60003);
  });

  it('user/list_id pages with a cursor (contact-sync token only)', async () => {
    expect((await post('user/list_id', {}, app)).errcode).toBe(48002);
    const rows: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await post('user/list_id', { limit: 8, ...(cursor ? { cursor } : {}) });
      expect(page.errcode).toBe(0);
      rows.push(...(page.dept_user as unknown[]));
      cursor = page.next_cursor as string;
    } while (cursor);
    // 21 members, zhouqiang in two departments → 22 rows.
    expect(rows).toHaveLength(22);
    expect(rows).toContainEqual({ userid: 'zhouqiang', department: 2 });
    expect((await post('user/list_id', { limit: 0 })).errcode).toBe(40058);
    expect((await post('user/list_id', { cursor: 'garbage' })).errcode).toBe(40058);
  });

  it('user/create validates and creates; the change is emitted with origin api', async () => {
    const events: EmulatorEvent[] = [];
    const off = emu.state.on((e) => events.push(e));
    const user = { userid: 'NewHire', name: '新同事', department: [4], mobile: '13900000001', alias: 'New Hire' };
    expect((await post('user/create', user, app)).errcode).toBe(48002);
    expect((await post('user/create', { ...user, userid: '-bad' })).errcode).toBe(40003);
    expect((await post('user/create', { ...user, name: '' })).errcode).toBe(60112);
    expect((await post('user/create', { ...user, department: undefined })).errcode).toBe(60127);
    expect((await post('user/create', { ...user, department: [99] })).errcode).toBe(40066);
    expect((await post('user/create', { ...user, mobile: undefined })).errcode).toBe(60129);
    expect((await post('user/create', { ...user, mobile: '13800130003' })).errcode).toBe(60104);
    expect((await post('user/create', { ...user, mobile: undefined, email: 'not-an-email' })).errcode).toBe(60105);
    expect((await post('user/create', { ...user, userid: 'LINA' })).errcode).toBe(60102);
    expect(await post('user/create', user)).toMatchObject({ errcode: 0, errmsg: 'created' });
    off();
    expect(events).toEqual([{ type: 'contact.changed', origin: 'api', change: expect.objectContaining({ changeType: 'create_user', userid: 'NewHire' }) }]);
    expect((await get('user/get', { userid: 'newhire' })).name).toBe('新同事');
  });

  it('user/update renames with new_userid and changes fields; user/delete removes', async () => {
    expect(await post('user/update', { userid: 'lina', name: '李娜娜', new_userid: 'lina2' })).toMatchObject({ errcode: 0, errmsg: 'updated' });
    expect((await get('user/get', { userid: 'lina' })).errcode).toBe(60111);
    expect((await get('user/get', { userid: 'lina2' })).name).toBe('李娜娜');
    expect((await post('user/update', { userid: 'lina2', new_userid: 'zhangwei' })).errcode).toBe(60102);
    expect((await post('user/update', { userid: 'ghost', name: 'x' })).errcode).toBe(60111);
    expect(await get('user/delete', { userid: 'lina2' }, sync)).toMatchObject({ errcode: 0, errmsg: 'deleted' });
    expect((await get('user/delete', { userid: 'lina2' }, sync)).errcode).toBe(60111);
  });

  it('user/getuserid finds a member by mobile; unknown → 46004', async () => {
    const lina = await get('user/get', { userid: 'lina' }, sync);
    expect(await post('user/getuserid', { mobile: lina.mobile }, app)).toMatchObject({ errcode: 0, userid: 'lina' });
    expect((await post('user/getuserid', { mobile: '10000000000' }, app)).errcode).toBe(46004);
  });

  it('members outside the visible range → 60011', async () => {
    const narrow = await startTestEmulator({ app: { visibleRange: { departments: [3] } } });
    try {
      const token = await narrow.token();
      expect((await narrow.call('/cgi-bin/user/get', { token, query: { userid: 'lina' } })).errcode).toBe(0);
      expect((await narrow.call('/cgi-bin/user/get', { token, query: { userid: 'sunli' } })).errcode).toBe(60011);
      expect((await narrow.call('/cgi-bin/department/get', { token, query: { id: 6 } })).errcode).toBe(60011);
    } finally {
      await narrow.close();
    }
  });
});

describe('tags', () => {
  it('tag/list and tag/get; unknown tag → 40068', async () => {
    expect((await get('tag/list', {})).taglist).toContainEqual({ tagid: 1, tagname: '面试官 Interviewers' });
    const tag = await get('tag/get', { tagid: 2 });
    expect(tag).toMatchObject({ errcode: 0, tagname: '招聘团队 Recruiting team', userlist: [{ userid: 'sunli', name: '孙丽' }], partylist: [7] });
    expect((await get('tag/get', { tagid: 99 })).errcode).toBe(40068);
  });
});

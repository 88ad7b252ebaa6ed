/**
 * People: the WeCom directory as Pairview knows it, and the two roles admins grant. The directory functions at
 * the bottom are what the WeCom glue calls with members it read through the SDK (full sync at start and nightly)
 * or received in `change_contact` callbacks.
 */
import { sql, type Selectable } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { PeopleTable, StoredRole } from '../db/schema.ts';
import { InvalidRequestError, NotFoundError, bodyField } from '../errors.ts';
import { fieldLabel } from '../http/validation.ts';
import { rolesOf, type Role } from '../auth/principal.ts';
import { endSessionsOf } from '../auth/sessions.ts';

export interface PersonView {
  id: string;
  wecomUserId: string;
  name: string;
  englishName: string | null;
  departmentIds: number[];
  active: boolean;
  roles: Role[];
}

export function personView(person: Selectable<PeopleTable>, admins: ReadonlySet<string>): PersonView {
  const roles = rolesOf(person, admins);
  return {
    id: person.id,
    wecomUserId: person.wecom_userid,
    name: person.name,
    englishName: person.english_name,
    departmentIds: person.department_ids,
    active: person.active,
    roles: (['admin', 'recruiter', 'hiring_manager', 'interviewer'] as const).filter((r) => roles.has(r)),
  };
}

export async function listPeople(db: Db, filter: { active?: boolean | undefined; search?: string | undefined; role?: StoredRole | undefined }) {
  let query = db.selectFrom('people').selectAll().orderBy('name').orderBy('wecom_userid');
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  if (filter.role) query = query.where(sql<boolean>`roles @> array[${filter.role}]::text[]`);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('english_name', 'ilike', pattern), eb('wecom_userid', 'ilike', pattern)]),
    );
  }
  return query.execute();
}

export async function getPerson(db: Db, id: string) {
  const person = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
  if (!person) throw personNotFound(id);
  return person;
}

function personNotFound(id: string): NotFoundError {
  return new NotFoundError({ code: 'person_not_found', en: `No person with id ${id}`, zh: `找不到 ID 为 ${id} 的成员。` });
}

/** Sets the granted roles of a person (admin only; admin itself comes from PAIRVIEW_ADMINS). */
export async function setRoles(db: Db, id: string, roles: readonly StoredRole[], clock: Clock) {
  const person = await db
    .updateTable('people')
    .set({ roles: [...new Set(roles)].sort(), updated_at: clock.now() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!person) throw personNotFound(id);
  return person;
}

/** Active people among `ids`; throws naming the ones that are unknown or deactivated (`what`: the body field). */
export async function requireActivePeople(db: Db, ids: readonly string[], what: string) {
  if (ids.length === 0) return [];
  const found = await db.selectFrom('people').selectAll().where('id', 'in', [...ids]).where('active', '=', true).execute();
  const missing = ids.filter((id) => !found.some((p) => p.id === id));
  if (missing.length > 0) {
    const field = {
      en: `${missing.length === 1 ? 'Is' : 'Are'} not an active person in the directory: ${missing.join(', ')}`,
      zh: `不是通讯录中的在职成员：${missing.join('、')}。`,
    };
    throw new InvalidRequestError({
      code: 'person_not_active',
      en: `${what}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not an active person in the directory`,
      zh: `${fieldLabel(what).zh}：${missing.join('、')} 不是通讯录中的在职成员（可能已停用或不存在）。`,
      fields: [bodyField(what, 'person_not_active', field)],
    });
  }
  return found;
}

/** A member as the WeCom directory describes them (user/list, change_contact), in Pairview's words. */
export interface DirectoryMember {
  wecomUserId: string;
  name: string;
  englishName?: string | null;
  departmentIds?: number[];
  /** WeCom status 1 = active; disabled, resigned and not-yet-activated members are not (wecom-protocol.md, contacts). */
  active: boolean;
}

/** Creates or updates one member; a member who becomes inactive loses their sessions. */
export async function upsertMember(db: Db, member: DirectoryMember, clock: Clock): Promise<'created' | 'updated'> {
  const now = clock.now();
  const row = await db
    .insertInto('people')
    .values({
      wecom_userid: member.wecomUserId,
      name: member.name,
      english_name: member.englishName ?? null,
      department_ids: member.departmentIds ?? [],
      active: member.active,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('wecom_userid').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        english_name: eb.ref('excluded.english_name'),
        department_ids: eb.ref('excluded.department_ids'),
        active: eb.ref('excluded.active'),
        updated_at: now,
      })),
    )
    // xmax = 0 only on a freshly inserted row version: tells an insert from an update in one statement.
    .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .executeTakeFirstOrThrow();
  if (!member.active) await endSessionsOf(db, row.id);
  return row.inserted ? 'created' : 'updated';
}

/** A member deleted from WeCom (change_contact delete_user): kept for history, deactivated, signed out. */
export async function deactivateMember(db: Db, wecomUserId: string, clock: Clock): Promise<boolean> {
  const row = await db
    .updateTable('people')
    .set({ active: false, updated_at: clock.now() })
    .where('wecom_userid', '=', wecomUserId)
    .returning('id')
    .executeTakeFirst();
  if (row) await endSessionsOf(db, row.id);
  return row !== undefined;
}

/**
 * A full directory sync: upserts every member and deactivates the people WeCom no longer lists. `members` must
 * be the complete list (all departments, fetch_child=1); an empty list deactivates nobody, since it is far more
 * likely a failed read than a company with no one in it.
 */
export async function syncDirectory(db: Db, members: readonly DirectoryMember[], clock: Clock) {
  const counts = { created: 0, updated: 0, deactivated: 0 };
  for (const member of members) counts[await upsertMember(db, member, clock)]++;
  if (members.length > 0) {
    const listed = members.map((m) => m.wecomUserId);
    const gone = await db
      .selectFrom('people')
      .select('wecom_userid')
      .where('active', '=', true)
      .where('wecom_userid', 'not in', listed)
      .execute();
    for (const person of gone) if (await deactivateMember(db, person.wecom_userid, clock)) counts.deactivated++;
  }
  return counts;
}

/** Marks the bot's first-entry welcome as sent; true only the first time (the glue sends `welcome` then). */
export async function markWelcomed(db: Db, personId: string, clock: Clock): Promise<boolean> {
  const row = await db
    .updateTable('people')
    .set({ bot_welcomed_at: clock.now() })
    .where('id', '=', personId)
    .where('bot_welcomed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

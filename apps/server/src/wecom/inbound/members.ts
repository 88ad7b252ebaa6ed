/** The Pairview person behind a WeCom userid (FromUserName of a callback). */
import type { Selectable } from 'kysely';
import type { Db } from '../../db/pool.ts';
import type { PeopleTable } from '../../db/schema.ts';

export type MemberRow = Selectable<PeopleTable>;

/** The active person with this WeCom userid; userids are case-insensitive in WeCom (wecom-protocol.md §8). */
export async function findMember(db: Db, userId: string): Promise<MemberRow | undefined> {
  const exact = await db.selectFrom('people').selectAll().where('wecom_userid', '=', userId).executeTakeFirst();
  const person =
    exact ??
    (await db
      .selectFrom('people')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['wecom_userid']), '=', userId.toLowerCase()))
      .executeTakeFirst());
  return person?.active ? person : undefined;
}

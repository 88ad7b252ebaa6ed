/**
 * change_contact callbacks (wecom-protocol.md §6.10): members created, changed (renamed, moved, disabled, given a
 * new userid) and deleted in WeCom change Pairview's people as they happen, between the full syncs.
 *
 * Since 2022-08-15 a newly configured callback URL gets only UserID/Department (and NewUserID) in user events, so a
 * create_user without a Name, or an update_user for someone Pairview does not know yet, reads the member with
 * user/get. Department and tag events (create/update/delete_party, update_tag) are logged and ignored: Pairview
 * keeps no departments or tags of its own (a person's department ids come with their user events), and WeCom
 * refuses to delete a department that still has members.
 */
import type { WeComClient } from '@pairview/wecom';
import type { ChangeContactEvent } from '@pairview/wecom/callback';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/pool.ts';
import { deactivateMember, upsertMember, type DirectoryMember } from '../../people/people.ts';
import { memberFromWeCom } from '../directory/read.ts';

interface ContactDeps {
  /** The handler's transaction: the change and the callback's "handled" mark commit together. */
  db: Db;
  clock: Clock;
  client: WeComClient;
}

type UserEvent = Extract<ChangeContactEvent, { changeType: 'create_user' | 'update_user' }>;

export interface ContactChangeResult {
  /** What changed, for the log. */
  summary: string;
  /** Why (part of) the change was not applied, for the callback log row. */
  note?: string;
}

export async function handleContactChange(deps: ContactDeps, event: ChangeContactEvent): Promise<ContactChangeResult> {
  switch (event.changeType) {
    case 'create_user': {
      const member = await memberOf(deps, event.userId, event);
      return { summary: `${await upsertMember(deps.db, member, deps.clock)} ${member.wecomUserId}` };
    }
    case 'update_user':
      return updateUser(deps, event);
    case 'delete_user': {
      // Kept for history (interviews, scorecards), deactivated and signed out.
      if (await deactivateMember(deps.db, event.userId, deps.clock)) return { summary: `deactivated ${event.userId}` };
      const note = `ignored: ${event.userId} was not in Pairview's directory`;
      return { summary: note, note };
    }
    default: {
      const note = `ignored: Pairview keeps no departments or tags (${event.changeType})`;
      return { summary: note, note };
    }
  }
}

async function updateUser(deps: ContactDeps, event: Extract<UserEvent, { changeType: 'update_user' }>): Promise<ContactChangeResult> {
  let userId = event.userId;
  const notes: string[] = [];
  let note: string | undefined;
  if (event.newUserId && event.newUserId !== event.userId) {
    // A new userid (WeCom allows one change per member, §6.10 NewUserID): same person, so sessions,
    // interviews and scorecards stay theirs.
    const renamed = await deps.db
      .updateTable('people')
      .set({ wecom_userid: event.newUserId, updated_at: deps.clock.now() })
      .where('wecom_userid', '=', event.userId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('people as other').select('other.id').where('other.wecom_userid', '=', event.newUserId!))))
      .returning('id')
      .executeTakeFirst();
    if (renamed) {
      notes.push(`userid ${event.userId} → ${event.newUserId}`);
    } else {
      note = `userid ${event.userId} → ${event.newUserId} not applied: ${event.userId} is unknown, or ${event.newUserId} is taken`;
      notes.push(note);
    }
    userId = event.newUserId;
  }
  const current = await deps.db.selectFrom('people').selectAll().where('wecom_userid', '=', userId).executeTakeFirst();
  const member: DirectoryMember = current
    ? // Only the fields the event carries changed (§6.10); the rest stays as Pairview has it.
      memberFromWeCom({
        userid: userId,
        name: event.name ?? current.name,
        alias: event.alias ?? current.english_name ?? undefined,
        department: event.department ?? current.department_ids,
        status: event.status ?? (current.active ? 1 : 2),
      })
    : await memberOf(deps, userId, event);
  notes.push(`${await upsertMember(deps.db, member, deps.clock)} ${userId}`);
  return note ? { summary: notes.join('; '), note } : { summary: notes.join('; ') };
}

/** The member as the event describes them, or as user/get does when the event lacks the name (minimal callbacks). */
async function memberOf(deps: ContactDeps, userId: string, event: UserEvent): Promise<DirectoryMember> {
  if (event.name === undefined) return memberFromWeCom(await deps.client.contacts.getUser(userId));
  // The same mapping as the full sync; a create_user without Status is taken as active, as user/list's is.
  return memberFromWeCom({ userid: userId, name: event.name, alias: event.alias, department: event.department ?? [], status: event.status });
}

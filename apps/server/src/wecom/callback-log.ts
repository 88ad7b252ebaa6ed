/**
 * The inbound half of the message log, ready for the glue's callback route: log a verified, decrypted callback
 * once (deduplicated on WeCom's key) together with the job that handles it, so the route can answer WeCom at once
 * (it waits 5 s, then retries the same callback up to 3 times: wecom-protocol.md, callbacks).
 */
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';

export const HANDLE_CALLBACK_TASK = 'handle_wecom_callback';

/** event_type of a row the receiver's dedupe store claimed (wecom/inbound/dedupe-store.ts) and nobody logged yet. */
export const CLAIMED_EVENT_TYPE = 'claimed';

export interface InboundCallback {
  /** MsgId for messages; FromUserName + CreateTime (+ event details) for events. */
  dedupeKey: string;
  /** `text`, `event:enter_agent`, `event:template_card_event`, `event:change_contact`, … */
  eventType: string;
  raw: unknown;
}

/** Returns the callback's id, and whether it had already been received (then no new job is added). */
export async function logInboundCallback(db: Db, callback: InboundCallback, clock: Clock): Promise<{ id: string; duplicate: boolean }> {
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('inbound_callbacks')
      .values({ dedupe_key: callback.dedupeKey, event_type: callback.eventType, raw: JSON.stringify(callback.raw), received_at: clock.now() })
      // A row only claimed by the dedupe store is this callback's, not yet logged: fill it in.
      .onConflict((oc) =>
        oc
          .column('dedupe_key')
          .doUpdateSet((eb) => ({ event_type: eb.ref('excluded.event_type'), raw: eb.ref('excluded.raw') }))
          .where('inbound_callbacks.event_type', '=', CLAIMED_EVENT_TYPE),
      )
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await tx.selectFrom('inbound_callbacks').select('id').where('dedupe_key', '=', callback.dedupeKey).executeTakeFirstOrThrow();
      return { id: existing.id, duplicate: true };
    }
    await sql`select graphile_worker.add_job(
      identifier => ${HANDLE_CALLBACK_TASK},
      payload => ${JSON.stringify({ callbackId: inserted.id })}::json,
      max_attempts => 5,
      job_key => ${`callback:${inserted.id}`}
    )`.execute(tx);
    return { id: inserted.id, duplicate: false };
  });
}

/** Records the outcome of handling a callback (the handler job calls it). */
export async function markCallbackHandled(db: Db, id: string, clock: Clock, error?: string): Promise<void> {
  await db
    .updateTable('inbound_callbacks')
    .set({ handled_at: clock.now(), error: error?.slice(0, 2000) ?? null })
    .where('id', '=', id)
    .execute();
}

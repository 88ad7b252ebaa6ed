/**
 * The callback receiver's DedupeStore (@pairview/wecom), kept in Pairview's inbound callback log so every Pairview
 * process shares it: WeCom retries a callback it got no 200 for within 5 s, 3 times in total (wecom-protocol.md
 * §6.7), and a retry may land on another process.
 *
 * A claim inserts the log row for the key (event_type 'claimed', raw JSON null; logInboundCallback fills it in a
 * moment later) and holds it until `expiresAt`. A key whose hold expired can be claimed again (the SDK's contract),
 * but that only re-admits the callback to the receiver: logInboundCallback still refuses to log, and so to handle,
 * a key twice. Plain SQL on the pool: `claimed_until` (migration 0003) is the store's own column.
 */
import type { DedupeClaim, DedupeStore } from '@pairview/wecom/callback';
import type pg from 'pg';
import { CLAIMED_EVENT_TYPE } from '../callback-log.ts';

export class PostgresDedupeStore implements DedupeStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * One statement, so concurrent claims of a key are decided by PostgreSQL: the first inserts; the others wait on
   * its row lock, then re-check the hold against the committed row and update nothing (→ false).
   */
  async claim({ key, now, expiresAt }: DedupeClaim): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `insert into inbound_callbacks (dedupe_key, event_type, raw, received_at, claimed_until)
       values ($1, $2, 'null'::jsonb, to_timestamp($3::double precision / 1000), to_timestamp($4::double precision / 1000))
       on conflict (dedupe_key) do update set claimed_until = excluded.claimed_until
         where inbound_callbacks.claimed_until is null or inbound_callbacks.claimed_until <= excluded.received_at`,
      [key, CLAIMED_EVENT_TYPE, now, expiresAt],
    );
    return rowCount === 1;
  }

  /**
   * The receiver releases a claim when the callback could not be taken in (logging it failed) and answers 500, so
   * WeCom's retry gets through. Only a bare claim is deleted: a logged callback stays, and stays deduplicated.
   */
  async release(key: string): Promise<void> {
    await this.#pool.query(`delete from inbound_callbacks where dedupe_key = $1 and event_type = $2`, [key, CLAIMED_EVENT_TYPE]);
  }
}

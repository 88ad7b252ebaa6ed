/**
 * Kysely's view of the outbound glue's tables (migrations/0002_wecom_outbound.sql; the member-send ledger it created moved into the SDK, 0012). They belong to the glue, so
 * they extend Pairview's Database type here instead of in db/schema.ts.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Db } from '../../db/pool.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type DeliveryStatus = 'sending' | 'sent' | 'failed' | 'dropped';
export type CardKind = 'invite' | 'decision';

export interface WeComDeliveriesTable {
  outbox_id: string;
  person_id: string;
  wecom_userid: string | null;
  status: DeliveryStatus;
  via: 'message' | 'card_update' | 'none' | null;
  /** The SDK Message as first sent (JSON). */
  message: ColumnType<unknown, string | null, string | null>;
  card_task_id: string | null;
  msgid: string | null;
  response_code: string | null;
  errcode: number | null;
  errmsg: string | null;
  reported: ColumnType<boolean, boolean | undefined, boolean>;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface WeComCardsTable {
  task_id: string;
  kind: CardKind;
  interview_id: string;
  outbox_id: string;
  person_id: string;
  wecom_userid: string;
  scorecard_id: string | null;
  msgid: string;
  response_code: string | null;
  response_code_expires_at: Timestamp | null;
  response_code_used_at: Timestamp | null;
  closed_label: string | null;
  closed_at: Timestamp | null;
  created_at: Timestamp;
}

export interface OutboundDatabase extends Database {
  wecom_deliveries: WeComDeliveriesTable;
  wecom_cards: WeComCardsTable;
}

export type OutboundDb = Kysely<OutboundDatabase>;

/** The same connection pool, typed with the glue's tables too. */
export function outboundDb(db: Db): OutboundDb {
  return db as unknown as OutboundDb;
}

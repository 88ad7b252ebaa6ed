-- The WeCom callback receiver (@pairview/wecom) dedupes a callback BEFORE it hands it to Pairview: it claims the
-- callback's dedupe key in a DedupeStore for a while (600 s, well past WeCom's 3 tries within ~15 s; wecom-protocol.md
-- §6.7). Pairview's store is this log table (apps/server/src/wecom/inbound/dedupe-store.ts): a claim inserts the row
-- (event_type 'claimed', raw JSON null) and holds it until `claimed_until`; logging the event then fills the row and
-- adds its handler job (wecom/callback-log.ts). A row that stays 'claimed' was received but never logged (the
-- process died in between): it shows up in the admin's callback log as such.
alter table inbound_callbacks add column claimed_until timestamptz;
comment on column inbound_callbacks.claimed_until is 'Until when the callback receiver''s dedupe claim on dedupe_key holds (WeCom retries within ~15 s).';

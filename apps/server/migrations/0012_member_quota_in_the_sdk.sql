-- The per-member quota (30/min and 1000/h per app and member, wecom-protocol.md §5) moved into @pairview/wecom's
-- limiter with every other WeCom quota (issue 10): its state lives in the SDK's own table, wecom_quota_windows,
-- which PostgresQuotaStore creates and owns (one owner per table, issue 12), shared by every Pairview process.
-- Pairview's ledger of member sends is no longer written or read.
drop table wecom_member_sends;

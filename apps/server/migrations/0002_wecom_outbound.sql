-- The outbound WeCom glue (apps/server/src/wecom/outbound): what was sent to whom, the interactive cards and
-- their response codes, and the per-member send ledger behind the cluster-wide 30/min and 1000/h quota.

-- One row per (outbox row, recipient): a notification to several people is sent to each of them separately,
-- and a retry skips everyone whose row says sent. The message body is stored when it is first sent and resent
-- unchanged, so WeCom's duplicate check (enable_duplicate_check, wecom-protocol.md §3.1) drops a repeat whose
-- first try had an unknown outcome.
create table wecom_deliveries (
  outbox_id uuid not null references outbox (id) on delete cascade,
  person_id uuid not null references people (id) on delete cascade,
  wecom_userid text,
  status text not null check (status in ('sending', 'sent', 'failed', 'dropped')),
  -- 'message' (message/send), 'card_update' (only update_template_card was needed), 'none' (nothing to send)
  via text check (via in ('message', 'card_update', 'none')),
  -- json, not jsonb: the text keeps its key order, so the resent request is the same bytes.
  message json,
  card_task_id text,
  msgid text,
  response_code text,
  errcode integer,
  errmsg text,
  -- A failure the outbox row has already reported: the next delivery of the row (an admin's retry) tries again.
  reported boolean not null default false,
  attempts integer not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  sent_at timestamptz,
  primary key (outbox_id, person_id)
);
comment on table wecom_deliveries is 'One recipient of one outbox notification: its WeCom message, status, msgid and errcode.';
create index wecom_deliveries_person on wecom_deliveries (person_id);

-- Interactive template cards Pairview sent (the contract with the inbound glue, /work/notes/glue.md): the card's
-- task_id, what it is about, and the single-use response_code (72 h, §3.1, §3.6) that lets Pairview update it.
-- Button keys: invite:accept|decline:<interviewId>, decision:advance|another_round|reject:<interviewId>.
create table wecom_cards (
  task_id text primary key,
  kind text not null check (kind in ('invite', 'decision')),
  interview_id uuid not null references interviews (id) on delete cascade,
  outbox_id uuid not null references outbox (id) on delete cascade,
  person_id uuid not null references people (id) on delete cascade,
  wecom_userid text not null,
  -- decision cards: the scorecard that caused the card
  scorecard_id uuid references scorecards (id) on delete set null,
  msgid text not null,
  response_code text,
  response_code_expires_at timestamptz,
  response_code_used_at timestamptz,
  -- Set when Pairview greyed the buttons out with this label ("已取消", "已推进 · 张三").
  closed_label text,
  closed_at timestamptz,
  created_at timestamptz not null
);
comment on table wecom_cards is 'An interactive WeCom card sent to one member, with the response_code that can update it.';
create index wecom_cards_interview on wecom_cards (interview_id, kind);
create index wecom_cards_person on wecom_cards (person_id);

-- Every message/send Pairview made to a member, for the per-member quota: WeCom silently drops anything above
-- 30 a minute or 1000 an hour to one member (§5), so a sender counts here, under a per-member advisory lock,
-- before sending. Rows older than an hour are deleted as new ones come.
create table wecom_member_sends (
  id bigint generated always as identity primary key,
  wecom_userid text not null,
  sent_at timestamptz not null,
  outbox_id uuid
);
comment on table wecom_member_sends is 'One message/send to one member in the last hour (the per-member quota ledger).';
create index wecom_member_sends_member on wecom_member_sends (wecom_userid, sent_at);

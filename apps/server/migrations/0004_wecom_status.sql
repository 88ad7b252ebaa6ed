-- The WeCom side's own state. wecom_credentials is the SDK's PostgreSQL token store (@pairview/wecom,
-- PostgresTokenStore creates it the same way if missing): one access token per app for every Pairview process.
-- wecom_job_runs keeps the outcome of the last directory sync and token refresh for /healthz.

create table if not exists wecom_credentials (
  corp_id    text        not null,
  agent_id   integer     not null,
  kind       text        not null,
  value      text        not null,
  expires_at bigint      not null,
  fetched_at bigint      not null,
  updated_at timestamptz not null default now(),
  primary key (corp_id, agent_id, kind)
);
comment on table wecom_credentials is 'A cached WeCom access token or JS-SDK ticket (the SDK''s token store); times in epoch ms. Never shown.';

create table wecom_job_runs (
  job text primary key check (job in ('directory_sync', 'token_refresh')),
  last_run_at timestamptz not null,
  last_success_at timestamptz,
  -- Null after a success; the error of the last run otherwise (never a token or secret).
  last_error text,
  last_errcode integer,
  -- directory_sync: {members, created, updated, deactivated}; token_refresh: {refreshed}.
  detail jsonb not null default '{}'
);
comment on table wecom_job_runs is 'The last run of a recurring WeCom job (directory sync, token refresh), one row per job, for /healthz.';

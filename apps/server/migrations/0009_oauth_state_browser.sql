-- Login CSRF (issue 11): a sign-in's `state` is bound to the browser that started it. /auth/wecom/start sets a
-- random nonce in a cookie and keeps its SHA-256 here; the callback accepts the state only from a browser whose
-- cookie matches, so a finished callback URL sent to a colleague does not sign them in as its sender. States made
-- before this migration have none and are refused (the sign-in starts again).
alter table oauth_states add column browser_hash bytea;

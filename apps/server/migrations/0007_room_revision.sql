-- Every announced change of a room bumps its revision, in the same transaction (rooms/events.ts). The control
-- document carries the state with its revision, so a client that kept a state from before a server restart (or
-- from another process) can tell which is newer: a restarted server's document is a new Yjs document, and the
-- client's stale copy would otherwise merge with it and win as often as not.
alter table rooms add column revision bigint not null default 0;

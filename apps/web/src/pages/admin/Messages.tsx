/**
 * The message log: every outbound WeCom message with its status, attempts and WeCom's errcode, newest first
 * (GET /api/messages), filtered by status, kind, recipient and day; failed and dropped rows can be queued again.
 */
import { Fragment, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, query } from '../../api/client.ts';
import { MESSAGE_STATUSES, type Message, type NotificationKind, type Person } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../../components/ErrorView.tsx';
import { MessageStatusBadge } from '../../components/badges.tsx';
import { EmptyState, Loading } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';

const PAGE = 100;

/** "YYYY-MM-DD" (a date input) → the local day's bounds. */
function dayBounds(day: string): { start: Date; end: Date } | undefined {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return { start: new Date(y, m - 1, d), end: new Date(y, m - 1, d + 1) };
}

export function MessagesPage() {
  const { t, fmt } = useI18n();
  const [params, setParams] = useSearchParams();
  const filters = {
    status: params.get('status') ?? '',
    kind: params.get('kind') ?? '',
    recipientId: params.get('recipient') ?? '',
    day: params.get('day') ?? '',
  };
  const bounds = dayBounds(filters.day);
  const firstPage = `/api/messages${query({
    status: filters.status,
    kind: filters.kind,
    recipientId: filters.recipientId,
    before: bounds?.end.toISOString(),
    limit: PAGE,
  })}`;
  const messages = useResource<{ messages: Message[] }>(firstPage);
  const people = useResource<{ people: Person[] }>('/api/people');
  const [more, setMore] = useState<{ rows: Message[]; done: boolean; error?: string }>({ rows: [], done: false });
  const [open, setOpen] = useState<string>();
  const [retrying, setRetrying] = useState<Record<string, 'busy' | 'queued' | string>>({});

  useEffect(() => setMore({ rows: [], done: false }), [firstPage]);

  const loaded = useMemo(() => [...(messages.state.data?.messages ?? []), ...more.rows], [messages.state.data, more.rows]);
  const inDay = bounds ? loaded.filter((m) => new Date(m.createdAt) >= bounds.start) : loaded;
  const last = loaded[loaded.length - 1];
  const mayHaveMore = !more.done && loaded.length >= PAGE && (!bounds || (last !== undefined && new Date(last.createdAt) >= bounds.start));

  function setFilter(name: 'status' | 'kind' | 'recipient' | 'day', value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  async function loadMore() {
    if (!last) return;
    try {
      const page = await api<{ messages: Message[] }>(
        `/api/messages${query({ status: filters.status, kind: filters.kind, recipientId: filters.recipientId, before: last.createdAt, limit: PAGE })}`,
      );
      setMore((m) => ({ rows: [...m.rows, ...page.messages], done: page.messages.length < PAGE }));
    } catch (e) {
      setMore((m) => ({ ...m, error: actionErrorText(e, t) }));
    }
  }

  async function retry(message: Message) {
    setRetrying((r) => ({ ...r, [message.id]: 'busy' }));
    try {
      await api(`/api/messages/${message.id}/retry`, { method: 'POST' });
      setRetrying((r) => ({ ...r, [message.id]: 'queued' }));
    } catch (e) {
      setRetrying((r) => ({ ...r, [message.id]: actionErrorText(e, t) }));
    }
  }

  const kinds = Object.keys(t.messageKind) as NotificationKind[];
  return (
    <div className="card card-flush">
      <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label={t.messages.filters}>
        <label className="filter">
          <span>{t.messages.status}</span>
          <select className="input" value={filters.status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">{t.messages.any}</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t.messageStatus[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t.messages.kind}</span>
          <select className="input" value={filters.kind} onChange={(e) => setFilter('kind', e.target.value)}>
            <option value="">{t.messages.any}</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t.messageKind[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t.messages.recipient}</span>
          <select className="input" value={filters.recipientId} onChange={(e) => setFilter('recipient', e.target.value)}>
            <option value="">{t.messages.anyone}</option>
            {(people.state.data?.people ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.wecomUserId})
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>{t.messages.day}</span>
          <input className="input" type="date" value={filters.day} onChange={(e) => setFilter('day', e.target.value)} />
        </label>
        {filters.status || filters.kind || filters.recipientId || filters.day ? (
          <button type="button" className="button button-quiet" onClick={() => setParams({}, { replace: true })}>
            {t.messages.clear}
          </button>
        ) : null}
      </form>

      {messages.state.status === 'error' ? (
        <ErrorView error={messages.state.error} onRetry={messages.reload} />
      ) : !messages.state.data || messages.state.status === 'loading' ? (
        <Loading />
      ) : inDay.length === 0 ? (
        <EmptyState title={t.messages.none} />
      ) : (
        <table className="table message-table">
          <thead>
            <tr>
              <th scope="col">{t.messages.time}</th>
              <th scope="col">{t.messages.kind}</th>
              <th scope="col">{t.messages.recipient}</th>
              <th scope="col">{t.messages.status}</th>
              <th scope="col">{t.messages.result}</th>
              <th scope="col">
                <span className="visually-hidden">{t.messages.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {inDay.map((message) => {
              const retryState = retrying[message.id];
              const canRetry = message.status === 'failed' || message.status === 'dropped';
              return (
                <Fragment key={message.id}>
                  <tr>
                    <td data-label={t.messages.time} className="nowrap">
                      {fmt.dateTime(message.createdAt)}
                    </td>
                    <td data-label={t.messages.kind}>{t.messageKind[message.kind as NotificationKind] ?? message.kind}</td>
                    <td data-label={t.messages.recipient}>{message.recipients.map((r) => r.name).join(t.common.listSeparator)}</td>
                    <td data-label={t.messages.status}>
                      <MessageStatusBadge status={retryState === 'queued' ? 'queued' : message.status} />
                      <div className="muted">{t.messages.attempts(message.attempts)}</div>
                    </td>
                    <td data-label={t.messages.result}>
                      {message.errcode !== null && message.errcode !== 0 ? (
                        <span className="mono">
                          {message.errcode} {message.errmsg}
                        </span>
                      ) : message.msgid ? (
                        <span className="mono muted">{t.messages.msgid(message.msgid)}</span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="row-actions">
                      {canRetry && retryState !== 'queued' ? (
                        <button type="button" className="button button-small" disabled={retryState === 'busy'} onClick={() => retry(message)}>
                          {t.messages.retry}
                        </button>
                      ) : null}
                      <button
                        type="button"
                        className="button button-quiet button-small"
                        aria-expanded={open === message.id}
                        onClick={() => setOpen(open === message.id ? undefined : message.id)}
                      >
                        {t.messages.details}
                      </button>
                      {retryState && retryState !== 'busy' && retryState !== 'queued' ? (
                        <p className="inline-error" role="alert">
                          {retryState}
                        </p>
                      ) : null}
                    </td>
                  </tr>
                  {open === message.id ? (
                    <tr className="row-details">
                      <td colSpan={6}>
                        <dl className="facts facts-inline">
                          <div className="fact">
                            <dt>{t.messages.recipients}</dt>
                            <dd className="mono">{message.recipients.map((r) => r.wecomUserId).join(', ')}</dd>
                          </div>
                          <div className="fact">
                            <dt>{t.messages.lastAttempt}</dt>
                            <dd>{message.lastAttemptAt ? fmt.dateTime(message.lastAttemptAt) : '—'}</dd>
                          </div>
                          <div className="fact">
                            <dt>{t.messages.sentAt}</dt>
                            <dd>{message.sentAt ? fmt.dateTime(message.sentAt) : '—'}</dd>
                          </div>
                        </dl>
                        <pre className="code-block">{JSON.stringify(message.payload, null, 2)}</pre>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {mayHaveMore ? (
        <div className="table-foot">
          <button type="button" className="button" onClick={loadMore}>
            {t.messages.more}
          </button>
        </div>
      ) : null}
      {more.error ? (
        <p className="inline-error table-foot" role="alert">
          {more.error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The WeCom connection as the server sees it (GET /healthz: database and WeCom status), and the latest callbacks
 * WeCom delivered (GET /api/callbacks): enough to tell "not connected", "connected" and "failing" apart.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, query } from '../../api/client.ts';
import type { Health } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../../components/ErrorView.tsx';
import { Alert, Badge, EmptyState, Facts, Loading, Section, type Tone } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';

interface CallbackRow {
  id: string;
  eventType: string;
  receivedAt: string;
  handledAt: string | null;
  error: string | null;
}

/** /healthz answers 503 with the same report when the database is down: show the report, not an error. */
function useHealth() {
  const [state, setState] = useState<{ health?: Health; error?: unknown }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    api<Health>('/healthz').then(
      (health) => live && setState({ health }),
      (error: unknown) => {
        if (!live) return;
        const report = error instanceof ApiError && error.status === 503 ? (error.body as Health | undefined) : undefined;
        setState(report?.database ? { health: report } : { error });
      },
    );
    return () => {
      live = false;
    };
  }, [generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The WeCom glue's details (mode, corp id, token, directory sync, emulator…): scalars first, then each group. */
function Details({ entries }: { entries: [string, unknown][] }) {
  const { t } = useI18n();
  const isGroup = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  const scalars = entries.filter(([, value]) => !isGroup(value));
  const groups = entries.filter(([, value]) => isGroup(value)) as [string, Record<string, unknown>][];
  return (
    <div className="stack">
      {scalars.length ? <Facts items={scalars.map(([key, value]) => [t.wecom.detailLabel(key), <DetailValue value={value} />])} /> : null}
      {groups.map(([key, group]) => (
        <div key={key} className="detail-group">
          <h3>{t.wecom.detailLabel(key)}</h3>
          <Facts items={Object.entries(group).map(([k, value]) => [t.wecom.detailLabel(k), <DetailValue value={value} />])} />
        </div>
      ))}
    </div>
  );
}

function DetailValue({ value }: { value: unknown }) {
  const { t, fmt } = useI18n();
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value === 'boolean') return <span>{value ? t.wecom.yes : t.wecom.no}</span>;
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return <span>{fmt.dateTime(value)}</span>;
  if (typeof value === 'string' && /^https?:\/\//.test(value)) {
    return (
      <a className="mono" href={value} target="_blank" rel="noreferrer">
        {value}
      </a>
    );
  }
  if (typeof value === 'object') return <span className="mono">{JSON.stringify(value)}</span>;
  return <span className="mono">{String(value)}</span>;
}

type DirectorySync =
  | { status: 'synced'; members: number; created: number; updated: number; deactivated: number }
  | { status: 'skipped'; reason: string };

/** "Sync the directory now" (POST /api/wecom/directory-sync): the same sync as at start and at 02:00. */
function useDirectorySync(onDone: () => void) {
  const { t } = useI18n();
  const [state, setState] = useState<{ busy: boolean; text?: string; failed?: boolean }>({ busy: false });
  async function run() {
    setState({ busy: true });
    try {
      const result = await api<DirectorySync>('/api/wecom/directory-sync', { method: 'POST' });
      setState({ busy: false, text: result.status === 'synced' ? t.wecom.syncDone(result) : t.wecom.syncSkipped });
    } catch (error) {
      setState({ busy: false, failed: true, text: actionErrorText(error, t) });
    }
    onDone();
  }
  return { ...state, run };
}

const statusTone: Record<string, Tone> = { ok: 'success', error: 'danger', not_configured: 'warning', degraded: 'warning' };

interface DailyQuota {
  limit: number;
  remaining: number;
  resetsAt: string;
  seatLimitSource: 'config' | 'default';
  low: boolean;
}

/** The daily message quota (issue 10): a warning when digests have started to wait for tomorrow. */
function QuotaWarnings({ quota }: { quota: DailyQuota | undefined }) {
  const { t, fmt } = useI18n();
  if (!quota) return null;
  return (
    <>
      {quota.low ? (
        <Alert tone="warning" title={t.wecom.quotaLowTitle}>
          {t.wecom.quotaLow({ remaining: quota.remaining, limit: quota.limit, resetsAt: fmt.dateTime(quota.resetsAt) })}
        </Alert>
      ) : null}
      {quota.seatLimitSource === 'default' ? <p className="muted">{t.wecom.seatLimitDefault}</p> : null}
    </>
  );
}

export function WeComPage() {
  const { t, fmt } = useI18n();
  const health = useHealth();
  const callbacks = useResource<{ callbacks: CallbackRow[] }>(`/api/callbacks${query({ limit: 20 })}`);

  const sync = useDirectorySync(health.reload);
  const wecom = health.health?.wecom;
  // warnings: said by QuotaWarnings in words, not listed as a raw value.
  const details = wecom ? Object.entries(wecom).filter(([key]) => key !== 'status' && key !== 'warnings') : [];
  const dailyQuota = wecom?.dailyQuota as DailyQuota | undefined;

  return (
    <div className="stack">
      <Section
        title={t.wecom.connection}
        actions={
          <>
            <button type="button" className="button button-quiet" disabled={sync.busy} onClick={sync.run}>
              {sync.busy ? t.wecom.syncing : t.wecom.syncDirectory}
            </button>
            <button type="button" className="button button-quiet" onClick={health.reload}>
              {t.common.refresh}
            </button>
          </>
        }
      >
        {sync.text ? (
          <p role="status" className={sync.failed ? 'inline-error' : 'muted'}>
            {sync.text}
          </p>
        ) : null}
        <QuotaWarnings quota={dailyQuota} />
        {health.error ? (
          <ErrorView error={health.error} onRetry={health.reload} />
        ) : !health.health ? (
          <Loading />
        ) : (
          <div className="status-grid">
            <div className="status-tile" data-status={health.health.wecom.status}>
              <span className="status-label">{t.wecom.wecom}</span>
              <Badge tone={statusTone[health.health.wecom.status] ?? 'neutral'}>{t.wecom.status[health.health.wecom.status]}</Badge>
              <p className="muted">{t.wecom.explain[health.health.wecom.status]}</p>
            </div>
            <div className="status-tile" data-status={health.health.database.status}>
              <span className="status-label">{t.wecom.database}</span>
              <Badge tone={statusTone[health.health.database.status] ?? 'neutral'}>{t.wecom.status[health.health.database.status]}</Badge>
              {health.health.database.message ? <p className="muted">{health.health.database.message}</p> : null}
            </div>
            {details.length ? (
              <div className="status-details">
                <Details entries={details} />
              </div>
            ) : null}
          </div>
        )}
      </Section>
      <Section title={t.wecom.callbacks}>
        {callbacks.state.status === 'error' ? (
          <ErrorView error={callbacks.state.error} onRetry={callbacks.reload} />
        ) : !callbacks.state.data ? (
          <Loading />
        ) : callbacks.state.data.callbacks.length === 0 ? (
          <EmptyState title={t.wecom.noCallbacks}>{t.wecom.noCallbacksText}</EmptyState>
        ) : (
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">{t.messages.time}</th>
                <th scope="col">{t.wecom.event}</th>
                <th scope="col">{t.messages.status}</th>
              </tr>
            </thead>
            <tbody>
              {callbacks.state.data.callbacks.map((c) => (
                <tr key={c.id}>
                  <td data-label={t.messages.time}>{fmt.dateTime(c.receivedAt)}</td>
                  <td data-label={t.wecom.event} className="mono">
                    {c.eventType}
                  </td>
                  <td data-label={t.messages.status}>
                    {c.error ? (
                      <span className="inline-error">{c.error}</span>
                    ) : c.handledAt ? (
                      <Badge tone="success">{t.wecom.handled}</Badge>
                    ) : (
                      <Badge>{t.wecom.pending}</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

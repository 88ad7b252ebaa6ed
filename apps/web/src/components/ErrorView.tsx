/**
 * How a failed load is shown. 401 sends the member to sign in (and back here after); 403 says "no access" and
 * nothing else; a network failure says so and offers to try again: no error is swallowed.
 */
import { useCallback, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError, NetworkError, signInPath } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

export function ErrorView({ error, onRetry, signIn = true }: { error: unknown; onRetry?: () => void; signIn?: boolean }) {
  const { t } = useI18n();
  const location = useLocation();

  if (error instanceof ApiError && error.status === 401 && signIn) {
    return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  }
  if (error instanceof ApiError && error.status === 403) {
    return (
      <div className="state-panel" data-state="no-access">
        <p className="state-icon" aria-hidden="true">⊘</p>
        <h1>{t.errors.noAccessTitle}</h1>
        <p>{t.errors.noAccessText}</p>
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div className="state-panel" data-state="not-found">
        <h1>{t.errors.notFoundTitle}</h1>
        <p>{t.errors.notFoundText}</p>
      </div>
    );
  }
  const network = error instanceof NetworkError;
  return (
    <div className="state-panel" data-state={network ? 'network-error' : 'error'} role="alert">
      <h1>{network ? t.errors.networkTitle : t.errors.serverTitle}</h1>
      <p>{network ? t.errors.networkText : t.errors.serverText}</p>
      <p className="state-detail">{error instanceof Error ? error.message : String(error)}</p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t.common.retry}
        </button>
      ) : null}
    </div>
  );
}

/** The message to show beside a failed action (a button or a form), in the server's words. */
export function actionErrorText(error: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (error instanceof NetworkError) return `${t.errors.networkTitle}: ${t.errors.networkText}`;
  if (error instanceof ApiError && error.status === 403) return t.errors.noAccessTitle;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The alert under a control whose action failed; nothing when it did not. */
export function InlineError({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert">
      {error}
    </p>
  );
}

/**
 * A control's API call: `busy` while it runs, its failure kept as text in the reader's language (actionErrorText)
 * for <InlineError>. `run` resolves true when the call succeeded.
 */
export function useAction(): { busy: boolean; error: string | undefined; run(action: () => Promise<void>): Promise<boolean> } {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(
    async (action: () => Promise<void>) => {
      setBusy(true);
      setError(undefined);
      try {
        await action();
        return true;
      } catch (e) {
        setError(actionErrorText(e, t));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, error, run };
}

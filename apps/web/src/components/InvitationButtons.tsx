/** Accept / Decline the invitation (POST /api/interviews/:id/response): the same answer the WeCom card gives. */
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { InvitationResponse } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { actionErrorText } from './ErrorView.tsx';
import { ResponseBadge } from './badges.tsx';

export function InvitationButtons({
  interviewId,
  response,
  onChanged,
}: {
  interviewId: string;
  response: InvitationResponse;
  onChanged(response: InvitationResponse): void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function answer(next: 'accepted' | 'declined') {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<{ response: 'accepted' | 'declined' }>(`/api/interviews/${interviewId}/response`, { method: 'POST', body: { response: next } });
      onChanged(result.response);
    } catch (e) {
      setError(actionErrorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="invitation">
      {response !== 'pending' ? <ResponseBadge response={response} /> : null}
      {response !== 'accepted' ? (
        <button type="button" className={`button ${response === 'pending' ? 'button-primary' : 'button-quiet'}`} disabled={busy} onClick={() => answer('accepted')}>
          {t.invitation.accept}
        </button>
      ) : null}
      {response !== 'declined' ? (
        <button type="button" className={`button ${response === 'pending' ? '' : 'button-quiet'}`} disabled={busy} onClick={() => answer('declined')}>
          {t.invitation.decline}
        </button>
      ) : null}
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

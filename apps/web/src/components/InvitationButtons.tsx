/** Accept / Decline the invitation (POST /api/interviews/:id/response): the same answer the WeCom card gives. */
import { api } from '../api/client.ts';
import type { InvitationResponse } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { InlineError, useAction } from './ErrorView.tsx';
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
  const { busy, error, run } = useAction();

  function answer(next: 'accepted' | 'declined') {
    return run(async () => {
      const result = await api<{ response: 'accepted' | 'declined' }>(`/api/interviews/${interviewId}/response`, { method: 'POST', body: { response: next } });
      onChanged(result.response);
    });
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
      <InlineError error={error} />
    </div>
  );
}

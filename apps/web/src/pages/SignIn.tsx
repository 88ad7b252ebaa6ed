/**
 * Sign in with WeCom, and nothing else (no password). In a browser the button opens WeCom's web login (QR code);
 * inside WeCom's own browser we go straight to the in-client authorisation, which signs in without a click.
 * Both go through the server's /auth/wecom/start, which comes back here with ?error=… when WeCom refuses.
 */
import { useEffect } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { insideWeCom, wecomSignInUrl } from '../api/client.ts';
import type { Me } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { Brand } from '../components/Layout.tsx';
import { Alert, Loading } from '../components/ui.tsx';
import { LocaleToggle, useI18n } from '../i18n/index.tsx';

/** Only paths of this site: anything else would make the sign-in an open redirect. */
function safeRedirect(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

export function SignInPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const redirect = safeRedirect(params.get('redirect'));
  const error = params.get('error');
  const startUrl = wecomSignInUrl(redirect);
  const inWeCom = insideWeCom();
  // Already signed in (a bookmark, the back button): go on.
  const me = useResource<Me>('/api/me');
  const autoStart = inWeCom && !error && me.state.status === 'error';

  useEffect(() => {
    if (autoStart) window.location.replace(startUrl);
  }, [autoStart, startUrl]);

  if (me.state.status === 'ready') return <Navigate to={redirect} replace />;

  return (
    <div className="signin">
      <div className="signin-top">
        <LocaleToggle />
      </div>
      <main className="signin-card">
        <Brand />
        <h1>{t.signIn.title}</h1>
        <p className="signin-lead">{t.signIn.lead}</p>
        {error ? <Alert title={t.signIn.failed}>{error}</Alert> : null}
        {me.state.status === 'loading' || autoStart ? (
          <Loading label={autoStart ? t.signIn.redirecting : t.common.loading} />
        ) : (
          <a className="button button-primary button-large button-wecom" href={startUrl}>
            <WeComGlyph />
            {t.signIn.button}
          </a>
        )}
        <p className="signin-hint">{inWeCom ? t.signIn.hintInWeCom : t.signIn.hintBrowser}</p>
      </main>
      <p className="signin-foot">{t.signIn.footer}</p>
    </div>
  );
}

function WeComGlyph() {
  return (
    <svg className="wecom-glyph" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M9.5 4C5.36 4 2 6.8 2 10.25c0 1.93 1.05 3.66 2.7 4.8l-.6 2.2 2.55-1.3c.9.27 1.86.42 2.85.42.2 0 .4 0 .6-.02A5.9 5.9 0 0 1 10 14.5c0-3.3 3.1-5.96 7-6.2C16.1 5.8 13.1 4 9.5 4Zm-2.6 3.9a.95.95 0 1 1 0 1.9.95.95 0 0 1 0-1.9Zm5.2 0a.95.95 0 1 1 0 1.9.95.95 0 0 1 0-1.9ZM17.25 9.5C14.35 9.5 12 11.5 12 13.95s2.35 4.45 5.25 4.45c.64 0 1.25-.1 1.82-.27l1.93 1 -.45-1.68C21.8 16.6 22.5 15.34 22.5 13.95c0-2.45-2.35-4.45-5.25-4.45Zm-1.8 2.75a.8.8 0 1 1 0 1.6.8.8 0 0 1 0-1.6Zm3.6 0a.8.8 0 1 1 0 1.6.8.8 0 0 1 0-1.6Z"
      />
    </svg>
  );
}

/**
 * The frame of every member page: who is signed in (GET /api/me), the navigation their roles allow, the
 * language toggle and sign-out. Signed out → the sign-in page, then back.
 */
import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import type { Me } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { LocaleToggle, useI18n } from '../i18n/index.tsx';
import { MeContext, displayName, hasRole } from '../session.tsx';
import { ErrorView, actionErrorText } from './ErrorView.tsx';
import { Loading } from './ui.tsx';

export function Brand() {
  return (
    <span className="brand">
      <span className="brand-mark" aria-hidden="true">
        P
      </span>
      Pairview
    </span>
  );
}

export function MemberShell() {
  const me = useResource<Me>('/api/me');
  if (me.state.status === 'error') {
    return (
      <div className="shell-plain">
        <ErrorView error={me.state.error} onRetry={me.reload} />
      </div>
    );
  }
  if (!me.state.data) {
    return (
      <div className="shell-plain">
        <Loading />
      </div>
    );
  }
  return (
    <MeContext.Provider value={me.state.data}>
      <AppFrame me={me.state.data} />
    </MeContext.Provider>
  );
}

function AppFrame({ me }: { me: Me }) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const [signOutError, setSignOutError] = useState<string>();

  async function signOut() {
    try {
      await api('/api/auth/sign-out', { method: 'POST' });
      navigate('/sign-in', { replace: true });
    } catch (error) {
      setSignOutError(actionErrorText(error, t));
    }
  }

  const links: { to: string; label: string; end?: boolean }[] = [{ to: '/my', label: t.nav.myInterviews }];
  if (hasRole(me, 'recruiter', 'admin')) links.push({ to: '/interviews', label: t.nav.interviews, end: true });
  if (hasRole(me, 'recruiter')) links.push({ to: '/schedule', label: t.nav.schedule });
  if (hasRole(me, 'recruiter', 'admin')) links.push({ to: '/questions', label: t.questions.nav });
  if (hasRole(me, 'admin')) links.push({ to: '/admin', label: t.nav.admin });

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/" className="topbar-brand" aria-label="Pairview">
            <Brand />
          </NavLink>
          <nav className="topnav" aria-label={t.nav.label}>
            {links.map((link) => (
              <NavLink key={link.to} to={link.to} end={link.end ?? false} className={({ isActive }) => `topnav-link${isActive ? ' active' : ''}`}>
                {link.label}
              </NavLink>
            ))}
          </nav>
          <div className="topbar-user">
            <LocaleToggle />
            <span className="user-name" title={me.wecomUserId}>
              {displayName(me, locale)}
            </span>
            <button type="button" className="button button-quiet" onClick={signOut}>
              {t.nav.signOut}
            </button>
          </div>
        </div>
      </header>
      {signOutError ? (
        <div className="banner banner-danger" role="alert">
          {signOutError}
        </div>
      ) : null}
      <main className="main">
        <Outlet />
      </main>
    </div>
  );
}

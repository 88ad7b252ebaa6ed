/** The admin area: people and roles, the message log, the WeCom connection. Admins only (the server checks). */
import { NavLink, Outlet } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { ErrorView } from '../../components/ErrorView.tsx';
import { PageHeader } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { hasRole, useMe } from '../../session.tsx';

export function AdminLayout() {
  const { t } = useI18n();
  const me = useMe();
  // The server refuses every admin call to others; say so before asking it.
  if (!hasRole(me, 'admin')) return <ErrorView error={new ApiError(403, 'forbidden', '')} />;
  return (
    <div className="page page-wide">
      <PageHeader title={t.admin.title} subtitle={t.admin.subtitle} />
      <nav className="tabs" aria-label={t.admin.title}>
        <NavLink to="/admin/people" className={({ isActive }) => `tab${isActive ? ' active' : ''}`}>
          {t.admin.people}
        </NavLink>
        <NavLink to="/admin/messages" className={({ isActive }) => `tab${isActive ? ' active' : ''}`}>
          {t.admin.messages}
        </NavLink>
        <NavLink to="/admin/wecom" className={({ isActive }) => `tab${isActive ? ' active' : ''}`}>
          {t.admin.wecom}
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}

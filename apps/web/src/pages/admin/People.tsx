/**
 * People and roles: the directory as synced from WeCom, and the two roles admins give (recruiter, hiring
 * manager; PUT /api/people/:id/roles). Admin comes from PAIRVIEW_ADMINS and is not changed here.
 */
import { useMemo, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Person } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorView, actionErrorText } from '../../components/ErrorView.tsx';
import { matches } from '../../components/PersonPicker.tsx';
import { Badge, EmptyState, Loading } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/index.tsx';

const GRANTABLE = ['recruiter', 'hiring_manager'] as const;
type Grantable = (typeof GRANTABLE)[number];

export function PeoplePage() {
  const { t } = useI18n();
  const people = useResource<{ people: Person[] }>('/api/people');
  const [search, setSearch] = useState('');
  const [showInactive, setShowInactive] = useState(false);
  const [saving, setSaving] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const rows = useMemo(
    () => (people.state.data?.people ?? []).filter((p) => (showInactive || p.active) && matches(p, search)),
    [people.state.data, search, showInactive],
  );

  async function toggle(person: Person, role: Grantable, on: boolean) {
    const roles = GRANTABLE.filter((r) => (r === role ? on : person.roles.includes(r)));
    setSaving(person.id);
    setErrors(({ [person.id]: _, ...rest }) => rest);
    try {
      const updated = await api<Person>(`/api/people/${person.id}/roles`, { method: 'PUT', body: { roles } });
      people.setData((data) => ({ people: data.people.map((p) => (p.id === updated.id ? updated : p)) }));
    } catch (e) {
      setErrors((current) => ({ ...current, [person.id]: actionErrorText(e, t) }));
    } finally {
      setSaving(undefined);
    }
  }

  if (people.state.status === 'error' && !people.state.data) return <ErrorView error={people.state.error} onRetry={people.reload} />;
  if (!people.state.data) return <Loading />;
  const total = people.state.data.people.filter((p) => p.active).length;

  return (
    <div className="card card-flush">
      <div className="toolbar">
        <input className="input toolbar-search" type="search" placeholder={t.admin.searchPeople} aria-label={t.admin.searchPeople} value={search} onChange={(e) => setSearch(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} />
          {t.admin.showInactive}
        </label>
        <span className="muted toolbar-count">{t.admin.peopleCount(total)}</span>
      </div>
      {rows.length === 0 ? (
        <EmptyState title={t.admin.noPeople} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t.admin.name}</th>
              <th scope="col">{t.admin.wecomUserId}</th>
              <th scope="col">{t.role.recruiter}</th>
              <th scope="col">{t.role.hiring_manager}</th>
              <th scope="col">{t.admin.otherRoles}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((person) => (
              <tr key={person.id} className={person.active ? undefined : 'row-muted'}>
                <td data-label={t.admin.name}>
                  <div className="cell-strong">{person.name}</div>
                  {person.englishName ? <div className="muted">{person.englishName}</div> : null}
                  {errors[person.id] ? (
                    <p className="inline-error" role="alert">
                      {errors[person.id]}
                    </p>
                  ) : null}
                </td>
                <td data-label={t.admin.wecomUserId} className="mono">
                  {person.wecomUserId}
                </td>
                {GRANTABLE.map((role) => (
                  <td key={role} data-label={t.role[role]}>
                    <label className="switch">
                      <input
                        type="checkbox"
                        checked={person.roles.includes(role)}
                        disabled={saving === person.id || !person.active}
                        aria-label={t.admin.roleFor(t.role[role], person.name)}
                        onChange={(e) => toggle(person, role, e.target.checked)}
                      />
                      <span className="switch-track" aria-hidden="true" />
                    </label>
                  </td>
                ))}
                <td data-label={t.admin.otherRoles}>
                  {person.roles.includes('admin') ? <Badge tone="accent">{t.role.admin}</Badge> : null}
                  {!person.active ? <Badge>{t.admin.inactive}</Badge> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

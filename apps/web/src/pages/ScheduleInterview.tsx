/**
 * Schedule an interview, or change one (recruiters). Creating answers with the candidate link, shown this once.
 * Changing the time is a reschedule (POST …/reschedule: answers reset, reminders re-planned); other changes are
 * an edit (PATCH), both with the version read, so two recruiters never overwrite each other silently.
 * The server checks everything; its messages appear next to the fields they are about.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { fieldErrors } from '../api/field-errors.ts';
import type { InterviewDetail, Person, ScheduleInput } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { CopyField } from '../components/CopyField.tsx';
import { ErrorView, actionErrorText } from '../components/ErrorView.tsx';
import { PersonPicker } from '../components/PersonPicker.tsx';
import { Alert, Field, Loading, PageHeader, Section } from '../components/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { companyTimeZone, instantToWallTime, wallTimeToInstant, zoneName } from '../time-zone.ts';
import { QuestionPicker } from './questions/QuestionPicker.tsx';

/** The server's limit on the panel (interviews/service.ts MAX_INTERVIEWERS). */
const MAX_INTERVIEWERS = 10;
const DURATIONS = [30, 45, 60, 75, 90, 120, 180, 240];

const FIELDS = ['candidate.name', 'candidate.email', 'candidate.phone', 'candidate', 'position', 'startsAt', 'durationMinutes', 'interviewerIds', 'hiringManagerId', 'questionId'] as const;
type FormField = (typeof FIELDS)[number];

interface FormValues {
  candidateName: string;
  candidateEmail: string;
  candidatePhone: string;
  position: string;
  /** datetime-local value, in the company's time zone (time-zone.ts). */
  start: string;
  durationMinutes: number;
  interviewerIds: string[];
  hiringManagerId: string;
  /** From the question bank; '' for none. */
  questionId: string;
}

const EMPTY: FormValues = {
  candidateName: '',
  candidateEmail: '',
  candidatePhone: '',
  position: '',
  start: '',
  durationMinutes: 60,
  interviewerIds: [],
  hiringManagerId: '',
  questionId: '',
};

/** ISO instant → "YYYY-MM-DDTHH:mm" in the company's time zone (what <input type=datetime-local> holds). */
export function toLocalInput(iso: string): string {
  return instantToWallTime(iso, companyTimeZone());
}

/** datetime-local, read in the company's time zone → ISO instant; '' (not filled in) is sent as is, so the server names the field. */
function fromLocalInput(value: string): string {
  if (!value) return '';
  return wallTimeToInstant(value, companyTimeZone())?.toISOString() ?? value;
}

function valuesOf(interview: InterviewDetail): FormValues {
  return {
    candidateName: interview.candidate.name,
    candidateEmail: interview.candidate.email ?? '',
    candidatePhone: interview.candidate.phone ?? '',
    position: interview.position,
    start: toLocalInput(interview.startsAt),
    durationMinutes: interview.durationMinutes,
    interviewerIds: interview.interviewers.map((i) => i.id),
    hiringManagerId: interview.hiringManager?.id ?? '',
    questionId: interview.question?.id ?? '',
  };
}

export function ScheduleInterviewPage() {
  const { t } = useI18n();
  const [created, setCreated] = useState<{ interview: InterviewDetail; candidateLink: string }>();
  const [formKey, setFormKey] = useState(0);

  if (created) {
    return (
      <div className="page">
        <PageHeader title={t.schedule.createdTitle} subtitle={t.schedule.createdText(created.interview.candidate.name)} />
        <Section>
          <div className="stack">
            <CopyField label={t.schedule.candidateLink} value={created.candidateLink} />
            <Alert tone="warning">{t.schedule.candidateLinkOnce}</Alert>
            <div className="form-actions">
              <Link className="button button-primary" to={`/interviews/${created.interview.id}`}>
                {t.schedule.openInterview}
              </Link>
              <button
                type="button"
                className="button"
                onClick={() => {
                  setCreated(undefined);
                  setFormKey((k) => k + 1);
                }}
              >
                {t.schedule.another}
              </button>
            </div>
          </div>
        </Section>
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader title={t.schedule.title} subtitle={t.schedule.subtitle} />
      <InterviewForm key={formKey} initial={EMPTY} onSaved={(result) => setCreated(result)} />
    </div>
  );
}

export function EditInterviewPage() {
  const { t } = useI18n();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const interview = useResource<InterviewDetail>(`/api/interviews/${id}`);
  if (interview.state.status === 'error') return <ErrorView error={interview.state.error} onRetry={interview.reload} />;
  if (!interview.state.data || interview.state.status === 'loading') return <Loading />;
  const current = interview.state.data;
  if (current.status !== 'scheduled') {
    return (
      <div className="page">
        <PageHeader title={t.schedule.editTitle} />
        <Alert tone="warning" title={t.schedule.notEditable(t.status[current.status])} />
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader title={t.schedule.editTitle} subtitle={`${current.candidate.name} · ${current.position}`} />
      <InterviewForm initial={valuesOf(current)} existing={current} onSaved={() => navigate(`/interviews/${id}`)} />
    </div>
  );
}

function InterviewForm({
  initial,
  existing,
  onSaved,
}: {
  initial: FormValues;
  existing?: InterviewDetail;
  onSaved(result: { interview: InterviewDetail; candidateLink: string }): void;
}) {
  const { t, locale } = useI18n();
  // Everyone, deactivated people too: an existing panel may name them (the picker offers only active people).
  const people = useResource<{ people: Person[] }>('/api/people');
  const [values, setValues] = useState<FormValues>(initial);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Partial<Record<FormField, string>>; form: string | undefined }>({ fields: {}, form: undefined });

  const everyone = people.state.data?.people ?? [];
  const hiringManagers = useMemo(() => everyone.filter((p) => p.active && p.roles.includes('hiring_manager')), [everyone]);
  const durations = DURATIONS.includes(values.durationMinutes) ? DURATIONS : [...DURATIONS, values.durationMinutes].sort((a, b) => a - b);

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Empty required fields are answered here, in the reader's language; everything else is the server's to judge.
    const missing: Partial<Record<FormField, string>> = {};
    if (!values.candidateName.trim()) missing['candidate.name'] = t.schedule.required;
    if (!values.position.trim()) missing.position = t.schedule.required;
    if (!values.start) missing.startsAt = t.schedule.required;
    if (values.interviewerIds.length === 0) missing.interviewerIds = t.schedule.pickInterviewer;
    if (Object.keys(missing).length) {
      setErrors({ fields: missing, form: undefined });
      return;
    }
    setBusy(true);
    setErrors({ fields: {}, form: undefined });
    const candidate = {
      name: values.candidateName.trim(),
      email: values.candidateEmail.trim() || null,
      phone: values.candidatePhone.trim() || null,
    };
    try {
      if (!existing) {
        const body: ScheduleInput = {
          candidate,
          position: values.position.trim(),
          startsAt: fromLocalInput(values.start),
          durationMinutes: values.durationMinutes,
          interviewerIds: values.interviewerIds,
          hiringManagerId: values.hiringManagerId || null,
          questionId: values.questionId || null,
        };
        onSaved(await api<{ interview: InterviewDetail; candidateLink: string }>('/api/interviews', { method: 'POST', body }));
        return;
      }
      onSaved({ interview: await saveChanges(existing, values, candidate), candidateLink: '' });
    } catch (error) {
      setErrors(fieldErrors(error, FIELDS, locale, (e) => actionErrorText(e, t)));
    } finally {
      setBusy(false);
    }
  }

  const e = errors.fields;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label={existing ? t.schedule.editTitle : t.schedule.title}>
      {errors.form ? <Alert title={t.schedule.notSaved}>{errors.form}</Alert> : null}
      {people.state.status === 'error' ? <ErrorView error={people.state.error} onRetry={people.reload} /> : null}

      <Section title={t.schedule.candidateSection}>
        <div className="form-grid">
          <Field label={t.schedule.candidateName} error={e['candidate.name'] ?? e.candidate}>
            {(p) => <input {...p} className="input" autoComplete="off" value={values.candidateName} maxLength={200} onChange={(ev) => set('candidateName', ev.target.value)} />}
          </Field>
          <Field label={t.schedule.candidateEmail} error={e['candidate.email']} optional>
            {(p) => <input {...p} className="input" type="email" autoComplete="off" value={values.candidateEmail} maxLength={320} onChange={(ev) => set('candidateEmail', ev.target.value)} />}
          </Field>
          <Field label={t.schedule.candidatePhone} error={e['candidate.phone']} optional>
            {(p) => <input {...p} className="input" type="tel" autoComplete="off" value={values.candidatePhone} maxLength={40} onChange={(ev) => set('candidatePhone', ev.target.value)} />}
          </Field>
          <Field label={t.schedule.position} error={e.position}>
            {(p) => <input {...p} className="input" value={values.position} maxLength={200} placeholder={t.schedule.positionPlaceholder} onChange={(ev) => set('position', ev.target.value)} />}
          </Field>
        </div>
      </Section>

      <Section title={t.schedule.timeSection}>
        <div className="form-grid">
          <Field label={t.schedule.start} error={e.startsAt} hint={[t.schedule.startHint(zoneName(companyTimeZone(), locale === 'zh' ? 'zh-CN' : 'en-GB')), existing ? t.schedule.rescheduleHint : ''].join(' ').trim()}>
            {(p) => <input {...p} className="input" type="datetime-local" value={values.start} onChange={(ev) => set('start', ev.target.value)} />}
          </Field>
          <Field label={t.schedule.duration} error={e.durationMinutes}>
            {(p) => (
              <select {...p} className="input" value={values.durationMinutes} onChange={(ev) => set('durationMinutes', Number(ev.target.value))}>
                {durations.map((d) => (
                  <option key={d} value={d}>
                    {t.common.minutes(d)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </Section>

      <Section title={t.schedule.panelSection}>
        <div className="stack">
          <Field label={t.schedule.interviewers} error={e.interviewerIds} hint={t.schedule.interviewersHint}>
            {(p) =>
              people.state.data ? (
                <PersonPicker people={everyone} value={values.interviewerIds} onChange={(ids) => set('interviewerIds', ids)} inputProps={p} max={MAX_INTERVIEWERS} />
              ) : (
                <Loading />
              )
            }
          </Field>
          <Field label={t.schedule.hiringManager} error={e.hiringManagerId} hint={hiringManagers.length ? undefined : t.schedule.noHiringManagers} optional>
            {(p) => (
              <select {...p} className="input" value={values.hiringManagerId} onChange={(ev) => set('hiringManagerId', ev.target.value)}>
                <option value="">{t.schedule.noHiringManager}</option>
                {hiringManagers.map((person) => (
                  <option key={person.id} value={person.id}>
                    {person.englishName ? `${person.name} (${person.englishName})` : person.name}
                  </option>
                ))}
                {existing?.hiringManager && !hiringManagers.some((p) => p.id === existing.hiringManager?.id) ? (
                  <option value={existing.hiringManager.id}>{existing.hiringManager.name}</option>
                ) : null}
              </select>
            )}
          </Field>
        </div>
      </Section>

      <Section title={t.questions.pickerLabel}>
        <Field
          label={t.questions.pickerLabel}
          error={e.questionId}
          hint={existing?.room?.startedAt ? t.questions.pickerLocked : t.questions.pickerHint}
          optional
        >
          {(p) => (
            <QuestionPicker
              inputProps={p}
              value={values.questionId}
              onChange={(id) => set('questionId', id)}
              current={existing?.question ?? null}
              locked={Boolean(existing?.room?.startedAt)}
            />
          )}
        </Field>
      </Section>

      <div className="form-actions">
        <button type="submit" className="button button-primary button-large" disabled={busy}>
          {busy ? t.common.saving : existing ? t.schedule.save : t.schedule.submit}
        </button>
        {existing ? (
          <Link className="button button-quiet" to={`/interviews/${existing.id}`}>
            {t.common.cancel}
          </Link>
        ) : (
          <p className="form-note">{t.schedule.submitNote}</p>
        )}
      </div>
    </form>
  );
}

/** Reschedule when the time moved, then edit the rest; each step carries the version the previous one returned. */
async function saveChanges(
  existing: InterviewDetail,
  values: FormValues,
  candidate: { name: string; email: string | null; phone: string | null },
): Promise<InterviewDetail> {
  let current = existing;
  const startsAt = fromLocalInput(values.start);
  const moved = startsAt !== new Date(existing.startsAt).toISOString();
  if (moved) {
    current = await api<InterviewDetail>(`/api/interviews/${existing.id}/reschedule`, {
      method: 'POST',
      body: { version: current.version, startsAt, durationMinutes: values.durationMinutes },
    });
  }
  const edit: Record<string, unknown> = {};
  if (values.position.trim() !== existing.position) edit['position'] = values.position.trim();
  if (!moved && values.durationMinutes !== existing.durationMinutes) edit['durationMinutes'] = values.durationMinutes;
  const panel = existing.interviewers.map((i) => i.id);
  if (values.interviewerIds.length !== panel.length || values.interviewerIds.some((id, i) => id !== panel[i])) edit['interviewerIds'] = values.interviewerIds;
  if ((values.hiringManagerId || null) !== (existing.hiringManager?.id ?? null)) edit['hiringManagerId'] = values.hiringManagerId || null;
  if ((values.questionId || null) !== (existing.question?.id ?? null)) edit['questionId'] = values.questionId || null;
  const candidateChanges: Record<string, string | null> = {};
  if (candidate.name !== existing.candidate.name) candidateChanges['name'] = candidate.name;
  if (candidate.email !== existing.candidate.email) candidateChanges['email'] = candidate.email;
  if (candidate.phone !== existing.candidate.phone) candidateChanges['phone'] = candidate.phone;
  if (Object.keys(candidateChanges).length) edit['candidate'] = candidateChanges;
  if (Object.keys(edit).length) {
    current = await api<InterviewDetail>(`/api/interviews/${existing.id}`, { method: 'PATCH', body: { version: current.version, ...edit } });
  }
  return current;
}

/**
 * The scorecard: one overall rating (Strong no … Strong yes), notes per skill, a summary. Submitted once
 * (POST /api/interviews/:id/scorecard). Peers' scorecards stay hidden from a panelist until they submit their own:
 * the server leaves them out of the answer (hiddenScorecards counts them); this only explains why.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { fieldErrors } from '../api/field-errors.ts';
import { RATINGS, type InterviewDetail, type Rating, type ScorecardInput } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { actionErrorText } from './ErrorView.tsx';
import { RatingBadge } from './badges.tsx';
import { Alert, EmptyState, Field } from './ui.tsx';

const FIELDS = ['rating', 'skillNotes', 'summary'] as const;
type ScorecardField = (typeof FIELDS)[number];

export function ScorecardForm({ interviewId, onSubmitted }: { interviewId: string; onSubmitted(): void }) {
  const { t, locale } = useI18n();
  const [rating, setRating] = useState<Rating | undefined>();
  const [notes, setNotes] = useState(() => t.scorecard.defaultSkills.map((skill) => ({ skill, note: '' })));
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Partial<Record<ScorecardField, string>>; form: string | undefined }>({ fields: {}, form: undefined });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!rating) {
      setErrors({ fields: { rating: t.scorecard.pickRating }, form: undefined });
      return;
    }
    const body: ScorecardInput = {
      rating,
      // Skills left without a name or a note say nothing: leave them out.
      skillNotes: notes.map((n) => ({ skill: n.skill.trim(), note: n.note.trim() })).filter((n) => n.skill && n.note),
      summary: summary.trim(),
    };
    setBusy(true);
    setErrors({ fields: {}, form: undefined });
    try {
      await api(`/api/interviews/${interviewId}/scorecard`, { method: 'POST', body });
      onSubmitted();
    } catch (error) {
      setErrors(fieldErrors(error, FIELDS, locale, (e) => actionErrorText(e, t)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form scorecard-form" onSubmit={submit} noValidate aria-label={t.scorecard.formTitle}>
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <fieldset className={`field${errors.fields.rating ? ' field-invalid' : ''}`}>
        <legend className="field-label">{t.scorecard.rating}</legend>
        <div className="rating-scale" role="radiogroup" aria-label={t.scorecard.rating}>
          {RATINGS.map((value) => (
            <label key={value} className={`rating-option rating-${value}${rating === value ? ' selected' : ''}`}>
              <input type="radio" name="rating" value={value} checked={rating === value} onChange={() => setRating(value)} />
              <span>{t.rating[value]}</span>
            </label>
          ))}
        </div>
        {errors.fields.rating ? (
          <p className="field-error" role="alert">
            {errors.fields.rating}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="field">
        <legend className="field-label">{t.scorecard.skillNotes}</legend>
        <div className="skill-notes">
          {notes.map((row, index) => (
            <div className="skill-note" key={index}>
              <input
                className="input skill-name"
                value={row.skill}
                aria-label={t.scorecard.skill}
                placeholder={t.scorecard.skill}
                maxLength={100}
                onChange={(e) => setNotes(notes.map((n, i) => (i === index ? { ...n, skill: e.target.value } : n)))}
              />
              <textarea
                className="input"
                rows={2}
                value={row.note}
                aria-label={t.scorecard.noteFor(row.skill || t.scorecard.skill)}
                placeholder={t.scorecard.notePlaceholder}
                maxLength={5000}
                onChange={(e) => setNotes(notes.map((n, i) => (i === index ? { ...n, note: e.target.value } : n)))}
              />
              <button
                type="button"
                className="button button-quiet button-icon"
                aria-label={t.scorecard.removeSkill(row.skill || t.scorecard.skill)}
                onClick={() => setNotes(notes.filter((_, i) => i !== index))}
              >
                ×
              </button>
            </div>
          ))}
        </div>
        {notes.length < 20 ? (
          <button type="button" className="button button-quiet" onClick={() => setNotes([...notes, { skill: '', note: '' }])}>
            + {t.scorecard.addSkill}
          </button>
        ) : null}
        {errors.fields.skillNotes ? <p className="field-error">{errors.fields.skillNotes}</p> : null}
      </fieldset>

      <Field label={t.scorecard.summary} error={errors.fields.summary} hint={t.scorecard.summaryHint}>
        {(props) => <textarea {...props} className="input" rows={4} value={summary} maxLength={10_000} onChange={(e) => setSummary(e.target.value)} />}
      </Field>

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t.common.saving : t.scorecard.submit}
        </button>
        <p className="form-note">{t.scorecard.onceNote}</p>
      </div>
    </form>
  );
}

/** The viewer's scorecard (or why not yet), why peers' are hidden, and the ones they may read. */
export function ScorecardsSection({ interview, onSubmitted }: { interview: InterviewDetail; onSubmitted(): void }) {
  const { t } = useI18n();
  return (
    <div className="stack">
      {interview.hiddenScorecards > 0 ? (
        <Alert tone="accent" title={t.scorecard.hiddenTitle(interview.hiddenScorecards)}>
          {t.scorecard.hiddenText}
        </Alert>
      ) : null}
      <MyScorecard interview={interview} onSubmitted={onSubmitted} />
      <ScorecardList interview={interview} />
    </div>
  );
}

function ScorecardList({ interview }: { interview: InterviewDetail }) {
  const { t, fmt } = useI18n();
  return (
    <div className="scorecards">
      {interview.scorecards.length === 0 && interview.hiddenScorecards === 0 ? <EmptyState title={t.scorecard.none} /> : null}
      {interview.scorecards.map((card) => (
        <article className="scorecard" key={card.id} aria-label={t.scorecard.by(card.interviewer.name)}>
          <header className="scorecard-header">
            <strong>{card.interviewer.name}</strong>
            <RatingBadge rating={card.rating} />
            <span className="muted">{fmt.dateTime(card.submittedAt)}</span>
          </header>
          {card.skillNotes.length ? (
            <dl className="skill-list">
              {card.skillNotes.map((note, i) => (
                <div key={i}>
                  <dt>{note.skill}</dt>
                  <dd>{note.note}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {card.summary ? <p className="scorecard-summary">{card.summary}</p> : null}
        </article>
      ))}
    </div>
  );
}

/** The viewer's part: the form, or why there is none yet. */
function MyScorecard({ interview, onSubmitted }: { interview: InterviewDetail; onSubmitted(): void }) {
  const { t } = useI18n();
  if (!interview.me || interview.status === 'cancelled') return null;
  if (interview.me.scorecardSubmitted) return <Alert tone="success" title={t.scorecard.submittedTitle} />;
  if (interview.me.response === 'declined') return <Alert tone="neutral" title={t.scorecard.declinedTitle} />;
  // Begun: by the clock, or from the room (started or ended early).
  const begun = interview.status === 'completed' || interview.room?.startedAt || new Date(interview.startsAt).getTime() <= Date.now();
  if (!begun) {
    return <Alert tone="neutral" title={t.scorecard.notYetTitle}>{t.scorecard.notYetText}</Alert>;
  }
  return <ScorecardForm interviewId={interview.id} onSubmitted={onSubmitted} />;
}

/**
 * Puts the server's validation messages next to the fields they are about, in the reader's language. A 400 lists
 * its field problems in `fields` (apps/server README, "Errors"): `{ path: "candidate.email", messages }`. A path
 * inside a list ("skillNotes.0.skill") belongs to the nearest field the form knows ("skillNotes").
 */
import { ApiError } from './client.ts';
import type { Locale } from './types.ts';

export interface FieldErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** What belongs to no field (a conflict, a network error, a field the form does not show). */
  form: string | undefined;
}

/** The form field a server path belongs to: indexes dropped, then the nearest known ancestor. */
function fieldOf<F extends string>(path: string, known: readonly F[]): F | undefined {
  const segments = path.split('.').filter((s) => !/^\d+$/.test(s));
  for (let n = segments.length; n > 0; n--) {
    const candidate = segments.slice(0, n).join('.');
    const field = known.find((f) => f === candidate);
    if (field) return field;
  }
  return undefined;
}

export function fieldErrors<F extends string>(
  error: unknown,
  known: readonly F[],
  locale: Locale,
  fallback: (error: unknown) => string,
): FieldErrors<F> {
  if (!(error instanceof ApiError) || error.fields.length === 0) return { fields: {}, form: fallback(error) };
  const fields: Partial<Record<F, string>> = {};
  let unplaced = false;
  for (const problem of error.fields) {
    const field = problem.in === 'body' ? fieldOf(problem.path, known) : undefined;
    if (!field) {
      unplaced = true;
      continue;
    }
    const text = problem.messages[locale];
    fields[field] = fields[field] ? `${fields[field]} ${text}` : text;
  }
  // A problem the form cannot show at a field: the whole message (it names every field) above the form.
  return { fields, form: unplaced ? error.messages[locale] : undefined };
}

/**
 * Puts the server's validation message next to the field it is about. The server answers a 400 whose message
 * lists problems separated by "; ", each starting with the field's path (apps/server/src/http/route.ts
 * describeIssues: "body.candidate.email: Invalid email address") or its name (service checks:
 * "interviewerIds: pick at least one interviewer", "startsAt 2030-… is in the past: …").
 */
import { ApiError } from './client.ts';

export interface FieldErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** What belongs to no field (a conflict, a network error, an unknown path). */
  form: string | undefined;
}

export function fieldErrors<F extends string>(error: unknown, known: readonly F[], fallback: (error: unknown) => string): FieldErrors<F> {
  if (!(error instanceof ApiError) || error.status !== 400) return { fields: {}, form: fallback(error) };
  const fields: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  for (const part of error.message.split('; ')) {
    const match = /^(?:body\.)?([A-Za-z]+(?:\.[A-Za-z]+)*)((?:\.\d+)*)(:\s*|\s)(.*)$/s.exec(part);
    const path = match?.[1];
    const field = path ? known.find((f) => f === path) : undefined;
    if (!field || !match) {
      rest.push(part);
      continue;
    }
    // "path: message" → "message"; "startsAt 2030-… is in the past" reads as a sentence: keep it whole.
    const text = match[3]!.startsWith(':') ? match[4]! : part;
    fields[field] = fields[field] ? `${fields[field]}; ${text}` : text;
  }
  return { fields, form: rest.length ? rest.join('; ') : undefined };
}

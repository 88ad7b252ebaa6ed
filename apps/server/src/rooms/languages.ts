/**
 * The languages the pad knows, by the id used everywhere (room state, starter code, runs). The web app has the
 * same list with editor modes (apps/web/src/room/languages.ts); a test keeps the two in step.
 */
export const LANGUAGE_IDS = ['javascript', 'typescript', 'python', 'java', 'cpp', 'go', 'rust', 'sql', 'kotlin', 'php'] as const;

export type LanguageId = (typeof LANGUAGE_IDS)[number];

export function isLanguageId(value: unknown): value is LanguageId {
  return typeof value === 'string' && (LANGUAGE_IDS as readonly string[]).includes(value);
}

/** Languages the browser runs (issue 8); the others wait for the server-side runner. */
export const BROWSER_RUNNABLE: ReadonlySet<LanguageId> = new Set(['javascript', 'typescript', 'python', 'sql']);

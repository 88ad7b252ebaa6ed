/**
 * HTML built by a tagged template that escapes every interpolated value, so message content from the app or a
 * member can never become markup by accident. Only values that are already SafeHtml (produced by this module)
 * are inserted as they are.
 */

/** A string of HTML known to be safe: built by `html` or by a renderer that escaped its input. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\`` — interpolations are escaped; arrays are joined; null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Joins fragments without a separator. */
export function join(parts: readonly HtmlValue[]): SafeHtml {
  return new SafeHtml(render(parts));
}

/**
 * Returns the URL when it is an absolute http(s) URL, else null. Links in messages (markdown, text `<a href>`,
 * cards) are only made clickable through this check, so `javascript:` and `data:` URLs stay plain text.
 */
export function safeHttpUrl(candidate: unknown): string | null {
  if (typeof candidate !== 'string') return null;
  let parsed: URL;
  try {
    parsed = new URL(candidate.trim());
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
}

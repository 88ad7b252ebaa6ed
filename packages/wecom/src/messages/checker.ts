/**
 * A small collector for validation problems, so a message is checked in full and the error lists every field
 * to fix at once (with its path, e.g. `template_card.button_list[2].key`) instead of one per attempt.
 */

export interface ValidationProblem {
  /** Wire path of the field, e.g. `text.content` or `touser`. */
  readonly path: string;
  /** What is wrong and what WeCom allows. */
  readonly message: string;
}

/** A message or its recipients break a documented WeCom limit; nothing was sent. */
export class MessageValidationError extends Error {
  readonly problems: readonly ValidationProblem[];
  constructor(problems: readonly ValidationProblem[], what = 'message') {
    const lines = problems.map((p) => `  - ${p.message}`);
    super(`${what} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'MessageValidationError';
    this.problems = problems;
  }
}

export function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** WeCom counts card limits in characters (a Chinese character is one); we count Unicode code points. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export class Checker {
  readonly problems: ValidationProblem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(what?: string): void {
    if (this.problems.length > 0) throw new MessageValidationError(this.problems, what);
  }

  isObject(path: string, value: unknown, required = true): value is Record<string, unknown> {
    if (value === undefined || value === null) {
      if (required) this.add(path, `${path} is required`);
      return false;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.add(path, `${path} must be an object`);
      return false;
    }
    return true;
  }

  /** A string field: present when required, non-empty, within `maxBytes` UTF-8 bytes and/or `maxChars` characters. */
  string(
    path: string,
    value: unknown,
    limits: { required?: boolean; maxBytes?: number; maxChars?: number; minChars?: number; hint?: string } = {},
  ): value is string {
    if (value === undefined || value === null) {
      if (limits.required) this.add(path, `${path} is required${limits.hint ? ` (${limits.hint})` : ''}`);
      return false;
    }
    if (typeof value !== 'string') {
      this.add(path, `${path} must be a string`);
      return false;
    }
    if (value.length === 0 && limits.required) {
      this.add(path, `${path} is empty${limits.hint ? ` (${limits.hint})` : ''}`);
      return false;
    }
    if (limits.maxBytes !== undefined) {
      const bytes = byteLength(value);
      if (bytes > limits.maxBytes) {
        this.add(path, `${path} is ${bytes} bytes; WeCom allows ${limits.maxBytes} bytes (UTF-8)`);
      }
    }
    if (limits.maxChars !== undefined || limits.minChars !== undefined) {
      const chars = charLength(value);
      if (limits.maxChars !== undefined && chars > limits.maxChars) {
        this.add(path, `${path} is ${chars} characters; WeCom allows ${limits.maxChars}`);
      }
      if (limits.minChars !== undefined && chars < limits.minChars && value.length > 0) {
        this.add(path, `${path} is ${chars} characters; WeCom requires at least ${limits.minChars}`);
      }
    }
    return true;
  }

  /** An http(s) URL. */
  url(path: string, value: unknown, limits: { required?: boolean; maxBytes?: number } = {}): void {
    if (!this.string(path, value, limits)) return;
    if (value.length > 0 && !/^https?:\/\/\S+$/i.test(value)) {
      this.add(path, `${path} must be an http:// or https:// URL (got "${truncate(value)}")`);
    }
  }

  /** An array of `min`–`max` entries; returns the entries to check one by one. */
  array(path: string, value: unknown, limits: { min?: number; max: number; required?: boolean; what?: string }): unknown[] {
    if (value === undefined || value === null) {
      if (limits.required || (limits.min ?? 0) > 0) this.add(path, `${path} is required`);
      return [];
    }
    if (!Array.isArray(value)) {
      this.add(path, `${path} must be an array`);
      return [];
    }
    const what = limits.what ?? 'entries';
    const min = limits.min ?? 0;
    if (value.length < min) {
      this.add(path, `${path} has ${value.length} ${what}; WeCom requires ${min === limits.max ? min : `${min}–${limits.max}`}`);
    } else if (value.length > limits.max) {
      this.add(path, `${path} has ${value.length} ${what}; WeCom allows at most ${limits.max}`);
    }
    return value;
  }

  /** One of the listed values (numbers or strings). */
  oneOf<T>(path: string, value: unknown, allowed: readonly T[], required = false): value is T {
    if (value === undefined || value === null) {
      if (required) this.add(path, `${path} is required (one of ${allowed.join(', ')})`);
      return false;
    }
    if (!allowed.includes(value as T)) {
      this.add(path, `${path} is ${JSON.stringify(value)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
      return false;
    }
    return true;
  }

  /** Values at `paths` must be unique (button keys, option ids). */
  unique(label: string, entries: { path: string; value: unknown }[]): void {
    const seen = new Map<string, string>();
    for (const { path, value } of entries) {
      if (typeof value !== 'string' || value === '') continue;
      const first = seen.get(value);
      if (first !== undefined) this.add(path, `${path} repeats ${label} "${truncate(value)}" (also at ${first}); ${label}s must be unique`);
      else seen.set(value, path);
    }
  }
}

export function truncate(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

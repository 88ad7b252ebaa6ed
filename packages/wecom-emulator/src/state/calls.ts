/**
 * The log of API calls the emulator answered, for tests (`calls()`), with credentials masked: access_token,
 * corpsecret and the robot webhook `key` are recorded as `***` so a test report never shows one.
 */

export interface CallRecord {
  seq: number;
  /** Emulator clock, milliseconds. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, a multipart summary, or the raw text when it was not JSON. */
  body: unknown;
  /** null when the call got no WeCom answer (an injected HTTP status without errcode, or a dropped connection). */
  errcode: number | null;
  httpStatus: number;
}

const MASKED_QUERY = new Set(['access_token', 'corpsecret', 'key']);

export function maskQuery(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, MASKED_QUERY.has(k) ? '***' : v]));
}

export class CallLog {
  readonly #max: number;
  readonly #records: CallRecord[] = [];
  #seq = 0;
  /** Every answered errcode since the start or the last reset, counted however many records are kept. */
  readonly #errcodes = new Map<number, number>();

  constructor(max: number) {
    this.#max = max;
  }

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: ++this.#seq, ...record, query: maskQuery(record.query) };
    if (record.errcode !== null) this.#errcodes.set(record.errcode, (this.#errcodes.get(record.errcode) ?? 0) + 1);
    this.#records.push(full);
    if (this.#records.length > this.#max) this.#records.splice(0, this.#records.length - this.#max);
    return full;
  }

  /** `path` matches exactly; `since` is a seq: only calls after it. */
  list(filter: { path?: string; since?: number } = {}): CallRecord[] {
    return this.#records.filter((r) => (filter.path === undefined || r.path === filter.path) && (filter.since === undefined || r.seq > filter.since));
  }

  /** How many calls were answered, and how many with each errcode (45009 refusals for a benchmark, say). */
  counts(): { calls: number; errcodes: Record<string, number> } {
    return { calls: this.#seq, errcodes: Object.fromEntries([...this.#errcodes].sort((a, b) => a[0] - b[0])) };
  }

  clear(): void {
    this.#records.length = 0;
    this.#seq = 0;
    this.#errcodes.clear();
  }
}

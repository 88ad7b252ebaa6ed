/**
 * Injected faults (control API): the next `times` calls to a path get an errcode (one per call from the
 * sequence), an HTTP status, latency, or a dropped connection. Used by SDK tests for retries and refresh.
 */

export interface FaultSpec {
  /** The API path, e.g. `/cgi-bin/message/send` (a leading `/cgi-bin/` may be left out). */
  path: string;
  /** Served one per call, in order. */
  errcodes?: number[];
  /** Answer with this HTTP status (and an nginx-style body unless errcodes are given). */
  httpStatus?: number;
  /** Delay before answering, real milliseconds. */
  latencyMs?: number;
  /** Destroy the connection after reading the request: the client cannot know the outcome. */
  drop?: boolean;
  /** How many calls get the fault; default errcodes.length or 1. */
  times?: number;
}

/** What one call gets. */
export interface FaultHit {
  errcode?: number;
  httpStatus?: number;
  latencyMs?: number;
  drop?: boolean;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  served: number;
}

export class FaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultError';
  }
}

export function normalisePath(path: string): string {
  const trimmed = path.trim();
  if (trimmed.startsWith('/')) return trimmed;
  return trimmed.startsWith('cgi-bin/') ? `/${trimmed}` : `/cgi-bin/${trimmed}`;
}

export class FaultTable {
  readonly #faults: ActiveFault[] = [];

  /** Validates and adds a fault; throws a FaultError that says what to fix. */
  add(spec: FaultSpec): void {
    if (typeof spec !== 'object' || spec === null || typeof spec.path !== 'string' || spec.path.trim() === '') {
      throw new FaultError('a fault needs "path", e.g. {"path":"/cgi-bin/message/send","errcodes":[-1]}');
    }
    if (spec.errcodes !== undefined && (!Array.isArray(spec.errcodes) || spec.errcodes.length === 0 || !spec.errcodes.every(Number.isInteger))) {
      throw new FaultError('"errcodes" must be a non-empty array of integers, served one per call');
    }
    if (spec.httpStatus !== undefined && (!Number.isInteger(spec.httpStatus) || spec.httpStatus < 100 || spec.httpStatus > 599)) {
      throw new FaultError('"httpStatus" must be an HTTP status code between 100 and 599');
    }
    if (spec.latencyMs !== undefined && (!Number.isFinite(spec.latencyMs) || spec.latencyMs < 0)) {
      throw new FaultError('"latencyMs" must be a number of milliseconds >= 0');
    }
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new FaultError('"times" must be an integer >= 1');
    }
    if (spec.errcodes === undefined && spec.httpStatus === undefined && spec.latencyMs === undefined && !spec.drop) {
      throw new FaultError('a fault needs at least one of "errcodes", "httpStatus", "latencyMs" or "drop": true');
    }
    const normalised = { ...spec, path: normalisePath(spec.path) };
    this.#faults.push({ spec: normalised, remaining: spec.times ?? spec.errcodes?.length ?? 1, served: 0 });
  }

  /** Consumes the first active fault for `path`, if any. */
  take(path: string): FaultHit | undefined {
    const index = this.#faults.findIndex((f) => f.spec.path === path && f.remaining > 0);
    if (index === -1) return undefined;
    const fault = this.#faults[index]!;
    const { spec } = fault;
    const hit: FaultHit = {
      ...(spec.errcodes ? { errcode: spec.errcodes[Math.min(fault.served, spec.errcodes.length - 1)] } : {}),
      ...(spec.httpStatus !== undefined ? { httpStatus: spec.httpStatus } : {}),
      ...(spec.latencyMs !== undefined ? { latencyMs: spec.latencyMs } : {}),
      ...(spec.drop ? { drop: true } : {}),
    };
    fault.served++;
    fault.remaining--;
    if (fault.remaining === 0) this.#faults.splice(index, 1);
    return hit;
  }

  clear(): void {
    this.#faults.length = 0;
  }
}

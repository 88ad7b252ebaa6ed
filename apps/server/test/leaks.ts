/**
 * What the test helpers opened and the test has not closed yet: database pools (createMigratedDatabase) and
 * workers (startTestWorker). A test that leaves one open keeps connections, timers and a database alive after it
 * ends, slows every later file and hides its own bugs (style-examples habit 13), so it fails: helpers.ts checks
 * this list after each test file, and `drop()` refuses to drop a database whose pool is still in use.
 *
 * No vitest import here: test/database.ts (which the benchmark also uses) records into this list.
 */
import type pg from 'pg';

export interface OpenResource {
  kind: 'database pool' | 'worker';
  name: string;
  /** The pool it holds or uses. */
  pool: pg.Pool;
  /** Where the test opened it (the first stack frame outside the helpers). */
  openedAt: string;
  /** Closes it (what the test should have done); used to clean up after reporting. */
  close(): Promise<void>;
}

const open = new Set<OpenResource>();

function callerFrame(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((line) => line.trim());
  const outside = frames.find((frame) => !/\/test\/(leaks|helpers|database)\.ts/.test(frame) && !frame.includes('node:'));
  return outside?.replace(/^at\s+/, '') ?? 'unknown';
}

/** Records a resource as open; the returned function records it closed. */
export function trackOpen(resource: Omit<OpenResource, 'openedAt'>): () => void {
  const entry: OpenResource = { ...resource, openedAt: callerFrame() };
  open.add(entry);
  return () => {
    open.delete(entry);
  };
}

/** What is open now, oldest first. */
export function openResources(): OpenResource[] {
  return [...open];
}

export function describeOpen(resources: readonly OpenResource[]): string {
  return resources.map((r) => `${r.kind} ${r.name} (opened at ${r.openedAt})`).join('; ');
}

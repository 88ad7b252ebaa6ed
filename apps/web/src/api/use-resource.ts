/**
 * Loads a GET resource for a page and keeps its state: loading, the data, or the error (shown by <ErrorView>).
 * `reload` fetches again (after a change); `setData` applies a change the server already answered with.
 * A newer load cancels an older one, so a slow answer never overwrites a fresh one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './client.ts';

export type Resource<T> =
  | { status: 'loading'; data: T | undefined; error: undefined }
  | { status: 'ready'; data: T; error: undefined }
  | { status: 'error'; data: T | undefined; error: unknown };

export interface ResourceHandle<T> {
  state: Resource<T>;
  reload(): void;
  setData(update: (current: T) => T): void;
}

/** `path` null: nothing to load (yet). */
export function useResource<T>(path: string | null): ResourceHandle<T> {
  const [state, setState] = useState<Resource<T>>({ status: 'loading', data: undefined, error: undefined });
  const [generation, setGeneration] = useState(0);
  const controller = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    if (path === null) return;
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    // Keep showing the previous data while reloading (no flash); the status says it is stale.
    setState((previous) => ({ status: 'loading', data: previous.data, error: undefined }));
    api<T>(path, { signal: current.signal }).then(
      (data) => {
        if (!current.signal.aborted) setState({ status: 'ready', data, error: undefined });
      },
      (error: unknown) => {
        if (!current.signal.aborted) setState((previous) => ({ status: 'error', data: previous.data, error }));
      },
    );
    return () => current.abort();
  }, [path, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((update: (current: T) => T) => {
    setState((previous) => (previous.data === undefined ? previous : { status: 'ready', data: update(previous.data), error: undefined }));
  }, []);
  return { state, reload, setData };
}

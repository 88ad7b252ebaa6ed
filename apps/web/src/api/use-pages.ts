/**
 * A list the server hands out in pages (`{ interviews, nextCursor }`, GET /api/interviews): the first page loads
 * like any resource; `more()` appends the next one. A new `path` starts over from its first page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './client.ts';
import { useResource, type ResourceHandle } from './use-resource.ts';

export interface InterviewPage<T> {
  interviews: T[];
  nextCursor: string | null;
}

export interface PagesHandle<T> {
  /** The first page's load (loading / error / ready), as useResource gives it. */
  first: ResourceHandle<InterviewPage<T>>;
  /** Every item loaded so far, in the server's order. */
  items: T[];
  /** There is another page to load. */
  hasMore: boolean;
  loadingMore: boolean;
  /** Why the last `more()` failed, if it did. */
  moreError: unknown;
  more(): void;
}

export function useInterviewPages<T>(path: string): PagesHandle<T> {
  const first = useResource<InterviewPage<T>>(path);
  const [later, setLater] = useState<{ items: T[]; cursor: string | null | undefined }>({ items: [], cursor: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);

  // A new first page (another path, or a reload) drops what was appended to the old one.
  const firstData = first.state.data;
  const generation = useRef(0);
  useEffect(() => {
    generation.current++;
    setLater({ items: [], cursor: undefined });
    setMoreError(undefined);
  }, [firstData]);

  const cursor = later.cursor === undefined ? firstData?.nextCursor ?? null : later.cursor;
  const more = useCallback(() => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    const separator = path.includes('?') ? '&' : '?';
    const asked = generation.current;
    // A page of a list that has since started over is dropped.
    api<InterviewPage<T>>(`${path}${separator}cursor=${encodeURIComponent(cursor)}`)
      .then(
        (page) => {
          if (asked === generation.current) setLater((current) => ({ items: [...current.items, ...page.interviews], cursor: page.nextCursor }));
        },
        (error: unknown) => {
          if (asked === generation.current) setMoreError(error);
        },
      )
      .finally(() => setLoadingMore(false));
  }, [cursor, loadingMore, path]);

  return { first, items: [...(firstData?.interviews ?? []), ...later.items], hasMore: cursor !== null, loadingMore, moreError, more };
}

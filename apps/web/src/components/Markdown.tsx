/**
 * Markdown written in Pairview (question statements, interviewer guidance), shown safely: `marked` turns it into
 * HTML, DOMPurify keeps only plain HTML (no script, no event handler, no javascript: URL, no iframe, form or
 * style), links open in a new tab with rel="noopener noreferrer", and images load only from this origin or a
 * data: URL (the page's CSP allows nothing else; another origin's image would show a broken frame and tell that
 * origin who is reading). docs/decisions/0005-markdown.md says why these two libraries.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { useLayoutEffect, useMemo, useRef } from 'react';
import './Markdown.css';

// GitHub-flavoured (tables, fenced code, task lists) like the markdown people write elsewhere; no soft breaks.
const marked = new Marked({ gfm: true, breaks: false, async: false });

/** The sanitiser's own instance: its settings never change how any other DOMPurify call in the app cleans. */
const purify = DOMPurify(window);

const SANITIZE = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option'],
  // Inline styles could paint over the page (a fake sign-in box); ids and names are prefixed so they cannot
  // clobber the app's own elements.
  FORBID_ATTR: ['style'],
  SANITIZE_NAMED_PROPS: true,
  RETURN_DOM_FRAGMENT: true as const,
};

function fromThisOrigin(src: string): boolean {
  try {
    const url = new URL(src, window.location.href);
    return url.protocol === 'data:' || url.origin === window.location.origin;
  } catch {
    return false;
  }
}

/** The markdown as a sanitised DOM fragment, ready to append (no second HTML parse, so nothing can mutate in between). */
export function renderMarkdown(source: string): DocumentFragment {
  const html = marked.parse(source) as string;
  const fragment = purify.sanitize(html, SANITIZE);
  for (const link of fragment.querySelectorAll('a[href]')) {
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer');
  }
  for (const image of fragment.querySelectorAll('img')) {
    if (fromThisOrigin(image.getAttribute('src') ?? '')) continue;
    const alt = image.getAttribute('alt');
    image.replaceWith(alt ? `[${alt}]` : '');
  }
  return fragment;
}

export function Markdown({ source, className, empty }: { source: string; className?: string; empty?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const fragment = useMemo(() => renderMarkdown(source), [source]);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(fragment.cloneNode(true));
  }, [fragment]);
  if (!source.trim() && empty) return <p className={`markdown-empty ${className ?? ''}`.trim()}>{empty}</p>;
  return <div ref={ref} className={`markdown ${className ?? ''}`.trim()} />;
}

/**
 * Renders the markdown subset WeCom's client understands in app messages (wecom-protocol.md §3.2 markdown):
 * `#`…`######` headings, `**bold**`, `[text](url)`, `` `inline code` ``, `> quote` lines and
 * `<font color="info|comment|warning">`. Anything else stays literal text, as on the phone. Every piece of
 * source text is escaped; links are only made for absolute http(s) URLs.
 */
import { escapeHtml, safeHttpUrl } from './html.ts';

/** WeCom's three font colours: info green, comment grey, warning orange-red (§3.2). */
const FONT_COLORS = new Set(['info', 'comment', 'warning']);

export function renderMarkdown(source: string): string {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length > 0) out.push(`<blockquote class="md-quote">${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of lines) {
    const quoted = /^\s*>\s?(.*)$/.exec(line);
    if (quoted) {
      quote.push(renderInline(quoted[1]!));
      continue;
    }
    flushQuote();
    const heading = /^\s*(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      out.push(`<h${level} class="md-h">${renderInline(heading[2]!)}</h${level}>`);
    } else {
      out.push(`<div class="md-line">${line.trim() === '' ? '<br>' : renderInline(line)}</div>`);
    }
  }
  flushQuote();
  return out.join('');
}

/** Inline tokens, tried in this order at each position; the text between tokens is escaped. */
const INLINE = /`([^`\n]+)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|<font\s+color\s*=\s*["']?(\w+)["']?\s*>(.*?)<\/font>/gi;

export function renderInline(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    out += escapeHtml(text.slice(last, match.index));
    last = match.index + match[0].length;
    const [whole, code, bold, linkText, linkUrl, color, colored] = match;
    if (code !== undefined) {
      out += `<code>${escapeHtml(code)}</code>`;
    } else if (bold !== undefined) {
      out += `<strong>${renderInline(bold)}</strong>`;
    } else if (linkText !== undefined) {
      const href = safeHttpUrl(linkUrl);
      out += href
        ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${renderInline(linkText)}</a>`
        : escapeHtml(whole);
    } else if (color !== undefined) {
      const name = color.toLowerCase();
      out += FONT_COLORS.has(name) ? `<span class="font-${name}">${renderInline(colored ?? '')}</span>` : renderInline(colored ?? '');
    }
  }
  return out + escapeHtml(text.slice(last));
}

/**
 * Text messages may carry `<a href="…">text</a>` links (§3.2 text) and newlines; everything else is literal.
 */
export function renderTextContent(content: string): string {
  const LINK = /<a\s+href\s*=\s*["']([^"']*)["'][^>]*>(.*?)<\/a>/gi;
  let out = '';
  let last = 0;
  for (const match of content.matchAll(LINK)) {
    out += escapeHtml(content.slice(last, match.index));
    last = match.index + match[0].length;
    const href = safeHttpUrl(match[1]);
    out += href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(match[2]!)}</a>` : escapeHtml(match[0]);
  }
  out += escapeHtml(content.slice(last));
  return out.replace(/\r?\n/g, '<br>');
}

/** textcard descriptions may use `<div class="gray|normal|highlight">` (§3.2 textcard); other markup is literal. */
export function renderTextcardDescription(description: string): string {
  const DIV = /<div\s+class\s*=\s*["'](gray|normal|highlight)["']\s*>(.*?)<\/div>/gis;
  let out = '';
  let last = 0;
  for (const match of description.matchAll(DIV)) {
    const between = description.slice(last, match.index);
    if (between.trim() !== '') out += `<div>${escapeHtml(between.trim())}</div>`;
    last = match.index + match[0].length;
    out += `<div class="tc-${match[1]!.toLowerCase()}">${escapeHtml(match[2]!).replace(/\r?\n/g, '<br>')}</div>`;
  }
  const rest = description.slice(last);
  if (rest.trim() !== '') out += `<div>${escapeHtml(rest.trim()).replace(/\r?\n/g, '<br>')}</div>`;
  return out;
}

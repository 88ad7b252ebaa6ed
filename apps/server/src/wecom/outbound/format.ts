/**
 * Small helpers every renderer shares: dates in the company's time zone, names in the configured language,
 * text made safe for WeCom's formats, clipping to WeCom's limits, and links that carry the outbox id.
 */
import type { Locale } from '../../config.ts';
import { localParts } from '../../time.ts';
import { webPaths, type WeComLinks } from '../deps.ts';
import type { Strings } from './i18n/index.ts';

/** What a renderer knows besides the data: language, time zone, links, and which notification this is. */
export interface RenderEnv {
  locale: Locale;
  strings: Strings;
  timeZone: string;
  links: WeComLinks;
  /**
   * The outbox id. Every message carries it in a link, so two notifications with the same words to the same
   * member are different requests: WeCom's duplicate check (§3.1) drops only a true repeat of one notification.
   */
  ref: string;
  /** When it is rendered (bot replies answer "today" as of now, in the company's time zone). */
  now: Date;
}

export interface PersonName {
  name: string;
  englishName: string | null;
}

/** A member's name in the configured language: the directory name, or the English name (alias) in English. */
export function displayName(person: PersonName, locale: Locale): string {
  return clean(locale === 'en' && person.englishName ? person.englishName : person.name);
}

/**
 * Text typed by people (candidate names, positions, reasons) as plain text inside WeCom text, textcard and
 * markdown bodies: `<`/`>` would start HTML (`<a href>` in text, `<div>` in textcard) and `[`, `]`, `*`, `` ` ``,
 * `#` markdown, so they become their full-width forms, which read the same.
 */
export function clean(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[<>[\]*`#]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
    .trim();
}

/** At most `max` characters (code points), with "…" when cut. WeCom counts card limits in characters (§3.2). */
export function clip(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** At most `max` UTF-8 bytes, cut on a character boundary, with "…" when cut (text, textcard, markdown: §3.2). */
export function clipBytes(value: string, max: number): string {
  if (Buffer.byteLength(value) <= max) return value;
  const ellipsis = '…';
  let out = '';
  let bytes = Buffer.byteLength(ellipsis);
  for (const ch of value) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > max) break;
    out += ch;
    bytes += size;
  }
  return out + ellipsis;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "1月8日 周二" / "Tue 8 Jan", in the company's time zone. */
export function formatDate(instant: Date, env: Pick<RenderEnv, 'strings' | 'timeZone'>): string {
  const p = localParts(instant, env.timeZone);
  return env.strings.date({ month: p.month, day: p.day, weekday: env.strings.weekdays[p.weekday - 1]! });
}

/** "14:00" in the company's time zone. */
export function formatTime(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "1月8日 周二 14:00–15:00" / "Tue 8 Jan 14:00–15:00". */
export function formatSlot(startsAt: Date, durationMinutes: number, env: Pick<RenderEnv, 'strings' | 'timeZone'>): string {
  const end = new Date(startsAt.getTime() + durationMinutes * 60_000);
  return `${formatDate(startsAt, env)} ${formatTime(startsAt, env.timeZone)}–${formatTime(end, env.timeZone)}`;
}

/** A Pairview page through the sign-in route, tagged with the outbox id (see RenderEnv.ref). */
function link(env: RenderEnv, path: string): string {
  return env.links.signInThenGo(`${path}?m=${encodeURIComponent(env.ref)}`);
}

export const pages = {
  room: (env: RenderEnv, interviewId: string) => link(env, webPaths.interviewRoom(interviewId)),
  interview: (env: RenderEnv, interviewId: string) => link(env, webPaths.interview(interviewId)),
  /** The recruiter's edit page (apps/web routes: interviews/:id/edit), to pick a replacement interviewer. */
  editInterview: (env: RenderEnv, interviewId: string) => link(env, `${webPaths.interview(interviewId)}/edit`),
  /** "My interviews" (apps/web routes: /my). */
  myInterviews: (env: RenderEnv) => link(env, '/my'),
};

/** `<a href="url">text</a>` for WeCom text messages (§3.2: text supports `<a href>`). */
export function anchor(url: string, text: string): string {
  return `<a href="${url.replace(/"/g, '%22')}">${text}</a>`;
}

/** `[text](url)` for WeCom markdown (§3.2 subset). */
export function mdLink(text: string, url: string): string {
  return `[${text}](${url.replace(/\)/g, '%29')})`;
}

/** text.content ≤2048 bytes (§3.2). */
const TEXT_MAX_BYTES = 2048;

/** A text body followed by a link on its own line; the body is cut (never the link) to fit WeCom's limit. */
export function withLink(body: string, url: string, label: string): string {
  const link = anchor(url, label);
  return `${clipBytes(body, TEXT_MAX_BYTES - Buffer.byteLength(link) - 1)}\n${link}`;
}

/**
 * Chinese and English. Every string the pages show lives in one dictionary per language (zh.ts is the source of
 * the keys, en.ts must match it: a missing or extra key is a type error). The first language is the one the
 * server was started with (PAIRVIEW_LOCALE, written into index.html), until someone picks the other one with
 * the toggle; the choice is kept in this browser.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setMessageLocale } from '../api/client.ts';
import type { Locale } from '../api/types.ts';
import { companyTimeZone, sameOffsetNow, viewerTimeZone, zoneName } from '../time-zone.ts';
import { en } from './en.ts';
import { zh, type Messages } from './zh.ts';

export type { Messages };

const dictionaries: Record<Locale, Messages> = { zh, en };
const STORAGE_KEY = 'pairview.locale';

function isLocale(value: unknown): value is Locale {
  return value === 'zh' || value === 'en';
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // Storage can be off (private mode in some in-app browsers): fall back to the server's default.
  }
  const serverDefault = document.documentElement.dataset['defaultLocale'];
  return isLocale(serverDefault) ? serverDefault : 'zh';
}

/**
 * Dates and times in the company's time zone (time-zone.ts), the way each language writes them; a viewer in
 * another zone sees its name after each time ("15:01–16:01 中国时间").
 */
export interface Formatters {
  dateTime(iso: string): string;
  date(iso: string): string;
  time(iso: string): string;
  /** "Tue 8 Jan, 14:00–15:00" */
  range(startIso: string, endIso: string): string;
  /** "in 3 hours", "2 days ago" */
  relative(iso: string, now?: number): string;
  /** The company zone's name when the viewer's own zone differs (then it follows each time), else undefined. */
  zone: string | undefined;
}

function formatters(locale: Locale, timeZone = companyTimeZone(), viewerZone = viewerTimeZone()): Formatters {
  const tag = locale === 'zh' ? 'zh-CN' : 'en-GB';
  const dateTime = new Intl.DateTimeFormat(tag, { timeZone, month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const date = new Intl.DateTimeFormat(tag, { timeZone, year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' });
  const dayOnly = new Intl.DateTimeFormat(tag, { timeZone, month: 'short', day: 'numeric', weekday: 'short' });
  const time = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit' });
  const relative = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
  ];
  const zone = sameOffsetNow(timeZone, viewerZone) ? undefined : zoneName(timeZone, tag);
  const labelled = (text: string) => (zone ? `${text} ${zone}` : text);
  return {
    dateTime: (iso) => labelled(dateTime.format(new Date(iso))),
    date: (iso) => date.format(new Date(iso)),
    time: (iso) => labelled(time.format(new Date(iso))),
    range: (start, end) => labelled(`${dayOnly.format(new Date(start))} ${time.format(new Date(start))}–${time.format(new Date(end))}`),
    relative(iso, now = Date.now()) {
      const diff = new Date(iso).getTime() - now;
      for (const [unit, ms] of units) {
        if (Math.abs(diff) >= ms || unit === 'minute') return relative.format(Math.round(diff / ms), unit);
      }
      return relative.format(0, 'minute');
    },
    zone,
  };
}

interface I18n {
  locale: Locale;
  t: Messages;
  fmt: Formatters;
  setLocale(locale: Locale): void;
}

const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  // Kept for the API client during render (idempotent): an error answered after it is read in this language.
  setMessageLocale(locale);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not kept across visits then; the toggle still works for this page.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
  }, [locale]);
  const value = useMemo(() => ({ locale, t: dictionaries[locale], fmt: formatters(locale), setLocale }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside <I18nProvider>');
  return value;
}

/** The language switch: shows the other language's name. */
export function LocaleToggle() {
  const { locale, setLocale, t } = useI18n();
  const other: Locale = locale === 'zh' ? 'en' : 'zh';
  return (
    <button type="button" className="button button-quiet locale-toggle" onClick={() => setLocale(other)} aria-label={t.common.switchLanguage} lang={other === 'zh' ? 'zh-CN' : 'en'}>
      {other === 'zh' ? '中文' : 'EN'}
    </button>
  );
}

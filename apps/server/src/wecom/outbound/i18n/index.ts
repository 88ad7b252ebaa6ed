import type { Locale } from '../../../config.ts';
import { en } from './en.ts';
import type { Strings } from './strings.ts';
import { zh } from './zh.ts';

export type { Strings };

const DICTIONARIES: Record<Locale, Strings> = { zh, en };

export function stringsFor(locale: Locale): Strings {
  return DICTIONARIES[locale];
}

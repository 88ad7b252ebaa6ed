// The runtimes this runner offers: the detected languages with their version and limits, looked up like Piston
// (name or alias, a semver range, the newest match wins).
import semver from 'semver';
import type { RunnerLimits, Runtime } from '../types.ts';
import type { LanguageDef } from './catalog.ts';

export interface RuntimeEntry {
  def: LanguageDef;
  version: string;
  limits: RunnerLimits;
}

export interface Registry {
  entries: RuntimeEntry[];
  find(language: string, range: string): RuntimeEntry | undefined;
  list(): Runtime[];
}

/** Configured limits < the language's own defaults < per-language overrides (Piston's LIMIT_OVERRIDES). */
export function limitsFor(def: LanguageDef, base: RunnerLimits, overrides: Record<string, Partial<RunnerLimits>> | undefined): RunnerLimits {
  return { ...base, ...def.limits, ...overrides?.[def.language] };
}

export function createRegistry(entries: RuntimeEntry[]): Registry {
  return {
    entries,
    find(language, range) {
      return entries
        .filter((e) => (e.def.language === language || e.def.aliases.includes(language)) && semver.satisfies(e.version, range))
        .sort((a, b) => semver.rcompare(a.version, b.version))[0];
    },
    list: () =>
      entries.map((e) => ({
        language: e.def.language,
        version: e.version,
        aliases: e.def.aliases,
        ...(e.def.runtime ? { runtime: e.def.runtime } : {}),
      })),
  };
}

/**
 * The room's languages as the code runner (ours or Piston) names them, and the file each runs from. Piston's names
 * are its language names or aliases; ours accepts the same (apps/runner/src/languages/catalog.ts).
 */
import type { LanguageId } from '../rooms/languages.ts';

interface RunnerLanguage {
  /** The runner's language name. */
  name: string;
  /** Other names a Piston installation may list the language under. */
  aliases: readonly string[];
  /** The file the code is sent as (Java: our runner and Piston both name it after the public class anyway). */
  file: string;
}

const RUNNER_LANGUAGES: Partial<Record<LanguageId, RunnerLanguage>> = {
  javascript: { name: 'javascript', aliases: ['js', 'node', 'node-javascript'], file: 'main.js' },
  typescript: { name: 'typescript', aliases: ['ts', 'node-typescript'], file: 'main.ts' },
  python: { name: 'python', aliases: ['python3', 'py', 'py3'], file: 'main.py' },
  java: { name: 'java', aliases: [], file: 'Main.java' },
  cpp: { name: 'c++', aliases: ['cpp', 'g++'], file: 'main.cpp' },
  go: { name: 'go', aliases: ['golang'], file: 'main.go' },
  rust: { name: 'rust', aliases: ['rs'], file: 'main.rs' },
  kotlin: { name: 'kotlin', aliases: ['kt'], file: 'main.kt' },
  php: { name: 'php', aliases: [], file: 'main.php' },
  // SQL runs in the browser (sql.js): no runner speaks it.
};

export function runnerLanguage(language: LanguageId): RunnerLanguage | undefined {
  return RUNNER_LANGUAGES[language];
}

/** The room languages a runner serves, given its /api/v2/runtimes (names and aliases). */
export function roomLanguagesServed(runtimes: readonly { language: string; aliases: readonly string[] }[]): LanguageId[] {
  const names = new Set(runtimes.flatMap((r) => [r.language, ...r.aliases]));
  return (Object.entries(RUNNER_LANGUAGES) as [LanguageId, RunnerLanguage][])
    .filter(([, l]) => names.has(l.name) || l.aliases.some((alias) => names.has(alias)))
    .map(([id]) => id);
}

/** The name to send for `language`, as this runner lists it. */
export function runtimeName(language: LanguageId, runtimes: readonly { language: string; aliases: readonly string[] }[]): string | undefined {
  const wanted = RUNNER_LANGUAGES[language];
  if (!wanted) return undefined;
  const names = new Set(runtimes.flatMap((r) => [r.language, ...r.aliases]));
  return [wanted.name, ...wanted.aliases].find((name) => names.has(name));
}

/**
 * The pad's languages: the ids the server uses (apps/server/src/rooms/languages.ts; a test keeps the lists in
 * step), their names, and their CodeMirror modes, loaded on first use so the room page stays small.
 */
import type { Extension } from '@codemirror/state';

export const LANGUAGES = [
  { id: 'javascript', label: 'JavaScript' },
  { id: 'typescript', label: 'TypeScript' },
  { id: 'python', label: 'Python 3' },
  { id: 'java', label: 'Java' },
  { id: 'cpp', label: 'C++' },
  { id: 'go', label: 'Go' },
  { id: 'rust', label: 'Rust' },
  { id: 'sql', label: 'SQL (SQLite)' },
  { id: 'kotlin', label: 'Kotlin' },
  { id: 'php', label: 'PHP' },
] as const;

export type LanguageId = (typeof LANGUAGES)[number]['id'];

export function languageLabel(id: string): string {
  return LANGUAGES.find((l) => l.id === id)?.label ?? id;
}

export async function languageSupport(id: string): Promise<Extension> {
  switch (id) {
    case 'javascript':
      return (await import('@codemirror/lang-javascript')).javascript();
    case 'typescript':
      return (await import('@codemirror/lang-javascript')).javascript({ typescript: true });
    case 'python':
      return (await import('@codemirror/lang-python')).python();
    case 'java':
      return (await import('@codemirror/lang-java')).java();
    case 'cpp':
      return (await import('@codemirror/lang-cpp')).cpp();
    case 'go':
      return (await import('@codemirror/lang-go')).go();
    case 'rust':
      return (await import('@codemirror/lang-rust')).rust();
    case 'sql':
      return (await import('@codemirror/lang-sql')).sql({ dialect: (await import('@codemirror/lang-sql')).SQLite });
    case 'php':
      return (await import('@codemirror/lang-php')).php({ plain: false });
    case 'kotlin': {
      const [{ StreamLanguage }, { kotlin }] = await Promise.all([import('@codemirror/language'), import('@codemirror/legacy-modes/mode/clike')]);
      return StreamLanguage.define(kotlin);
    }
    default:
      return [];
  }
}

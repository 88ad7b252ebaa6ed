/**
 * CodeMirror modes for the pad's languages (the ids of apps/server/src/rooms/languages.ts), loaded on first use so
 * the playback page stays small. The room's own registry (../languages.ts) has the same modes; playback keeps this
 * small copy so it does not depend on the room's editor.
 */
import type { Extension } from '@codemirror/state';

const MODES: Record<string, () => Promise<Extension>> = {
  javascript: async () => (await import('@codemirror/lang-javascript')).javascript(),
  typescript: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
  python: async () => (await import('@codemirror/lang-python')).python(),
  java: async () => (await import('@codemirror/lang-java')).java(),
  cpp: async () => (await import('@codemirror/lang-cpp')).cpp(),
  go: async () => (await import('@codemirror/lang-go')).go(),
  rust: async () => (await import('@codemirror/lang-rust')).rust(),
  sql: async () => (await import('@codemirror/lang-sql')).sql(),
  php: async () => (await import('@codemirror/lang-php')).php({ plain: false }),
  kotlin: async () => {
    const [{ StreamLanguage }, { kotlin }] = await Promise.all([import('@codemirror/language'), import('@codemirror/legacy-modes/mode/clike')]);
    return StreamLanguage.define(kotlin);
  },
};

/** The mode for `id`; plain text for an id it does not know. */
export function playbackLanguage(id: string): Promise<Extension> {
  return MODES[id]?.() ?? Promise.resolve([]);
}

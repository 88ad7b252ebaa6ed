/**
 * A CodeMirror 6 editor bound to a shared Y.Text (y-codemirror.next): everyone's cursors and selections with the
 * names and colours the server gave them, Yjs undo (per person, not CodeMirror's history: room-design.md §4),
 * the language and the read-only lock switched through compartments without rebuilding the editor (swapping
 * EditorStates desyncs the binding, y-codemirror.next#36). Large pastes are reported to `onLargePaste`.
 *
 * Like the playback's editor, it lives in a shadow root so CodeMirror's styles (and y-codemirror's carets) load as
 * constructed stylesheets, which the page's CSP allows (a <style> element it would block); inside the editor every
 * style is therefore a CodeMirror theme. The host element's size comes from the page's CSS.
 */
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { languageSupport } from './languages.ts';

/** "Over ~200 characters at once" (issue 8, integrity signals). */
export const LARGE_PASTE_CHARS = 200;

export interface CollabEditorProps {
  text: Y.Text;
  awareness: Awareness | null;
  language?: string;
  readOnly: boolean;
  label: string;
  placeholderText?: string;
  lineNumbers?: boolean;
  /** Code (monospace) or prose (notes). */
  prose?: boolean;
  onLargePaste?: (chars: number) => void;
  className?: string;
}

const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
/** The page's own font stack (styles.css --font): page CSS does not reach into the shadow root. */
const PROSE = "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans SC', 'WenQuanYi Micro Hei', Roboto, 'Helvetica Neue', Arial, sans-serif";

const editorTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '14px', backgroundColor: '#ffffff' },
  '&.cm-focused': { outline: '2px solid #2b5fd9', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: MONO, lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: '#f9fafb', color: '#858e9c', borderRight: '1px solid #e2e5ea' },
});

/** A locked pad looks locked (and says so to screen readers through aria-readonly). */
const lockedTheme = EditorView.theme({ '&': { backgroundColor: '#f3f4f6' } });

function lock(readOnly: boolean) {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly), ...(readOnly ? [lockedTheme, EditorView.contentAttributes.of({ 'aria-readonly': 'true' })] : [])];
}

const proseTheme = EditorView.theme({
  '&': { fontSize: '13px' },
  '.cm-scroller': { fontFamily: PROSE, lineHeight: '1.6' },
  '.cm-content': { padding: '8px 4px' },
});

export function CollabEditor({ text, awareness, language, readOnly, label, placeholderText, lineNumbers: numbers = true, prose = false, onLargePaste, className }: CollabEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const languageSlot = useRef(new Compartment());
  const lockSlot = useRef(new Compartment());
  const pasteHandler = useRef(onLargePaste);
  pasteHandler.current = onLargePaste;

  useEffect(() => {
    const undoManager = new Y.UndoManager(text);
    const element = host.current!;
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const editor = new EditorView({
      parent: root,
      root,
      state: EditorState.create({
        doc: text.toString(),
        extensions: [
          ...(numbers ? [lineNumbers(), highlightActiveLineGutter()] : []),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...yUndoManagerKeymap, indentWithTab]),
          EditorView.lineWrapping,
          editorTheme,
          ...(prose ? [proseTheme] : []),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          ...(placeholderText ? [placeholder(placeholderText)] : []),
          languageSlot.current.of([]),
          lockSlot.current.of(lock(readOnly)),
          yCollab(text, awareness, { undoManager }),
          EditorView.updateListener.of((update) => {
            for (const tr of update.transactions) {
              if (!tr.isUserEvent('input.paste') && !tr.isUserEvent('input.drop')) continue;
              let inserted = 0;
              tr.changes.iterChanges((_fromA, _toA, _fromB, _toB, insert) => (inserted += insert.length));
              if (inserted > LARGE_PASTE_CHARS) pasteHandler.current?.(inserted);
            }
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      undoManager.destroy();
      view.current = null;
    };
    // The binding is made once per shared text; language and lock change through their compartments.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, awareness]);

  useEffect(() => {
    let current = true;
    void languageSupport(language ?? '').then((support) => {
      if (current) view.current?.dispatch({ effects: languageSlot.current.reconfigure(support) });
    });
    return () => {
      current = false;
    };
  }, [language, text]);

  useEffect(() => {
    view.current?.dispatch({ effects: lockSlot.current.reconfigure(lock(readOnly)) });
  }, [readOnly]);

  return <div ref={host} className={`collab-editor${readOnly ? ' is-locked' : ''}${className ? ` ${className}` : ''}`} data-readonly={readOnly} />;
}

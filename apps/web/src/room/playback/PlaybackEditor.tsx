/**
 * The pad as it was at one moment, in a read-only CodeMirror view: each author's text tinted with their colour, and
 * their caret (with their name) where the last change was. Moving forward a little applies the edits as CodeMirror
 * changes (the view keeps its scroll and parse); a jump replaces the text from the model's nearest keyframe.
 *
 * The view lives in a shadow root: CodeMirror (style-mod) then mounts its styles as a constructed stylesheet
 * (adoptedStyleSheets), which the page's CSP (`style-src 'self'`, no inline style) allows; in the document it
 * would add a <style> element, which that CSP blocks, leaving the editor unstyled. So every style inside the
 * editor is a CodeMirror theme here, not page CSS.
 */
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, StateEffect, StateField, type Extension, type Range, type TransactionSpec } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, lineNumbers, type DecorationSet } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { playbackLanguage } from './language.ts';
import { applyEdit, changesOf, type PlaybackAuthor, type PlaybackModel, type TextState } from './model.ts';

/** Forward steps up to this many edits are applied one by one; longer ones jump. */
const STEP_LIMIT = 400;

const setMarks = StateEffect.define<DecorationSet>();
const marks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setMarks)) return effect.value;
    return value.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

class Caret extends WidgetType {
  readonly author: number;
  readonly name: string;
  constructor(author: number, name: string) {
    super();
    this.author = author;
    this.name = name;
  }
  override eq(other: Caret) {
    return other.author === this.author && other.name === this.name;
  }
  toDOM() {
    const caret = document.createElement('span');
    caret.className = `pv-pb-caret pv-pb-caret-${this.author}`;
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'pv-pb-caret-label';
    label.textContent = this.name;
    caret.append(label);
    return caret;
  }
  override ignoreEvent() {
    return true;
  }
}

const HEX = /^#[0-9a-f]{6}$/i;

/** `#rrggbb` at `alpha`; colours come from the server's palette, checked again before they reach CSS. */
function tint(color: string, alpha: number): string {
  const hex = HEX.test(color) ? color : '#868e96';
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

const baseTheme = EditorView.theme({
  '&': { height: 'clamp(240px, 58vh, 640px)', fontSize: '13px', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'var(--mono, monospace)', lineHeight: '1.6' },
  '.cm-gutters': { backgroundColor: '#f9fafb', borderRight: '1px solid #e2e5ea', color: '#858e9c' },
  '.pv-pb-latest': { textDecoration: 'underline 2px', textUnderlineOffset: '3px' },
  '.pv-pb-caret': { position: 'relative', marginLeft: '-1px', borderLeft: '2px solid #18202c' },
  '.pv-pb-caret-label': {
    position: 'absolute',
    left: '-2px',
    bottom: '100%',
    padding: '0 4px',
    borderRadius: '3px 3px 3px 0',
    color: '#fff',
    font: '600 10px/1.5 var(--font, sans-serif)',
    whiteSpace: 'nowrap',
    pointerEvents: 'none',
  },
});

/** A class per author: their text's tint and their caret. Pairview's own starter code stays untinted. */
function authorTheme(authors: readonly PlaybackAuthor[]): Extension {
  const spec: Record<string, Record<string, string>> = {};
  authors.forEach((author, i) => {
    if (author.kind !== 'system') spec[`.pv-pb-a${i}`] = { backgroundColor: tint(author.color, 0.14) };
    spec[`.pv-pb-caret-${i}`] = { borderLeftColor: tint(author.color, 1) };
    spec[`.pv-pb-caret-${i} .pv-pb-caret-label`] = { backgroundColor: tint(author.color, 1) };
  });
  return EditorView.theme(spec);
}

function decorationsFor(model: PlaybackModel, state: TextState): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  const runs = state.authors.runs;
  for (let i = 0, from = 0; i < runs.length; i += 2) {
    const author = runs[i]!;
    const to = from + runs[i + 1]!;
    if (model.data.authors[author]?.kind !== 'system') ranges.push(Decoration.mark({ class: `pv-pb-a${author}` }).range(from, to));
    from = to;
  }
  const latest = state.index > 0 ? model.data.edits[state.index - 1] : undefined;
  if (latest) {
    const author = latest[1] as number;
    const last = changesOf(latest).at(-1);
    if (last) {
      const end = Math.min(last.from + last.insert.length, state.text.length);
      if (last.insert.length > 0) ranges.push(Decoration.mark({ class: 'pv-pb-latest' }).range(last.from, end));
      ranges.push(Decoration.widget({ widget: new Caret(author, model.data.authors[author]?.name ?? ''), side: 1 }).range(end));
    }
  }
  return Decoration.set(ranges, true);
}

/** Where the last change ended: kept in view as playback moves. */
function latestPosition(model: PlaybackModel, state: TextState): number {
  const latest = state.index > 0 ? model.data.edits[state.index - 1] : undefined;
  const last = latest ? changesOf(latest).at(-1) : undefined;
  return last ? Math.min(last.from + last.insert.length, state.text.length) : 0;
}

export function PlaybackEditor({ model, index, language, label }: { model: PlaybackModel; index: number; language: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const shown = useRef<TextState | null>(null);
  const languageSlot = useRef(new Compartment());

  useEffect(() => {
    const initial = model.stateAt(index);
    shown.current = initial;
    const element = host.current!;
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const editor = new EditorView({
      parent: root,
      root,
      state: EditorState.create({
        doc: initial.text,
        extensions: [
          lineNumbers(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          EditorView.lineWrapping,
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-readonly': 'true' }),
          languageSlot.current.of([]),
          baseTheme,
          authorTheme(model.data.authors),
          marks,
        ],
      }),
    });
    editor.dispatch({ effects: [setMarks.of(decorationsFor(model, initial)), EditorView.scrollIntoView(latestPosition(model, initial), { y: 'nearest' })] });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The view is made once per timeline; moments and the language arrive through the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model]);

  useEffect(() => {
    let live = true;
    void playbackLanguage(language).then((mode) => {
      if (live) view.current?.dispatch({ effects: languageSlot.current.reconfigure(mode) });
    });
    return () => {
      live = false;
    };
  }, [language, model]);

  useEffect(() => {
    const editor = view.current;
    const current = shown.current;
    if (!editor || !current || current.index === index) return;
    const specs: TransactionSpec[] = [];
    let state = current;
    if (index > current.index && index - current.index <= STEP_LIMIT) {
      for (let i = current.index; i < index; i++) {
        const edit = model.data.edits[i]!;
        for (const change of changesOf(edit)) specs.push({ changes: change, sequential: true });
        applyEdit(current, edit);
      }
    } else {
      state = model.stateAt(index);
      specs.push({ changes: { from: 0, to: editor.state.doc.length, insert: state.text } });
    }
    shown.current = state;
    specs.push({ effects: [setMarks.of(decorationsFor(model, state)), EditorView.scrollIntoView(latestPosition(model, state), { y: 'nearest', yMargin: 48 })], sequential: true });
    editor.dispatch(...specs);
  }, [index, model]);

  return <div className="pv-pb-editor" ref={host} />;
}

/**
 * The playback timeline in the browser: what the text was at any moment, who wrote each part of it, and where the
 * session's activity is. Pure (no DOM), so the bench measures it in Node.
 *
 * The server sends every edit as `[t, author, pos, del, ins, …]` and the whole text (with its authors) every
 * `keyframeEvery` edits (apps/server/src/rooms/playback.ts): a seek starts from the keyframe before the moment and
 * applies at most that many edits.
 */
import type { z } from 'zod';
import type { Json } from '../../api/types.ts';
import type { playbackSchema } from '../../../../server/src/rooms/playback-routes.ts';

export type PlaybackData = Json<z.output<typeof playbackSchema>>;
export type PlaybackRun = PlaybackData['runs'][number];
export type PlaybackSignal = PlaybackData['signals'][number];
export type PlaybackAuthor = PlaybackData['authors'][number];
export type Edit = PlaybackData['edits'][number];

/**
 * Who wrote each character, as runs of one author: `[author, length, …]` flat, neighbours always different authors.
 * The same structure as the server's (apps/server/src/rooms/playback.ts AuthorRuns); model.test.ts checks the two
 * agree on a real track.
 */
export class AuthorRuns {
  readonly runs: number[];

  constructor(flat: readonly number[] = []) {
    this.runs = [...flat];
  }

  insert(pos: number, length: number, author: number): void {
    if (length <= 0) return;
    const runs = this.runs;
    let start = 0;
    for (let i = 0; i < runs.length; i += 2) {
      const len = runs[i + 1]!;
      if (pos <= start + len) {
        const offset = pos - start;
        if (runs[i] === author) runs[i + 1] = len + length;
        else if (offset === 0) runs.splice(i, 0, author, length);
        else if (offset === len) {
          if (runs[i + 2] === author) runs[i + 3]! += length;
          else runs.splice(i + 2, 0, author, length);
        } else runs.splice(i, 2, runs[i]!, offset, author, length, runs[i]!, len - offset);
        return;
      }
      start += len;
    }
    if (runs.length && runs[runs.length - 2] === author) runs[runs.length - 1]! += length;
    else runs.push(author, length);
  }

  delete(pos: number, length: number): void {
    const runs = this.runs;
    let i = 0;
    let start = 0;
    while (i < runs.length && start + runs[i + 1]! <= pos) {
      start += runs[i + 1]!;
      i += 2;
    }
    for (let left = length; left > 0 && i < runs.length; ) {
      const len = runs[i + 1]!;
      const cut = Math.min(len - (pos - start), left);
      left -= cut;
      if (cut === len) runs.splice(i, 2);
      else {
        runs[i + 1] = len - cut;
        if (left === 0) break;
        start = pos;
        i += 2;
      }
    }
    if (i >= 2 && i < runs.length && runs[i - 2] === runs[i]) {
      runs[i - 1]! += runs[i + 1]!;
      runs.splice(i, 2);
    }
  }
}

/** The text after some number of edits, and who wrote it. */
export interface TextState {
  /** Edits applied. */
  index: number;
  text: string;
  authors: AuthorRuns;
}

/** One replacement of an edit, in the coordinates of the text just before it. */
export interface Change {
  from: number;
  to: number;
  insert: string;
}

/** The replacements of one edit, in order (each applies to the text the previous one left). */
export function changesOf(edit: Edit): Change[] {
  const changes: Change[] = [];
  for (let i = 2; i + 2 < edit.length; i += 3) {
    const from = edit[i] as number;
    changes.push({ from, to: from + (edit[i + 1] as number), insert: edit[i + 2] as string });
  }
  return changes;
}

/** Applies `edit` to `state` in place. */
export function applyEdit(state: TextState, edit: Edit): void {
  const author = edit[1] as number;
  let text = state.text;
  for (const change of changesOf(edit)) {
    text = text.slice(0, change.from) + change.insert + text.slice(change.to);
    state.authors.delete(change.from, change.to - change.from);
    state.authors.insert(change.from, change.insert.length, author);
  }
  state.text = text;
  state.index++;
}

/** Something that happened at a moment: a run or a signal, with its place on the timeline. */
export type TimelineEvent =
  | { kind: 'run'; t: number; index: number; run: PlaybackRun }
  | { kind: 'signal'; t: number; index: number; signal: PlaybackSignal };

/** How many of the sorted `values` are at or before `t`. */
function countUpTo(values: Float64Array, t: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PlaybackModel {
  readonly data: PlaybackData;
  /** Edit times, ms after the origin. */
  readonly times: Float64Array;
  /** The scrubber's range (ms after the origin): from the actual start, or the first activity, to the last activity. */
  readonly start: number;
  readonly end: number;
  /** ms after the origin of the actual start, when there was one. */
  readonly startedAt: number | undefined;
  readonly events: TimelineEvent[];
  /** Times of what people did (edits, runs, signals), sorted: what playback skips idle time between. */
  private readonly activity: Float64Array;
  /** Every moment something changed (the starter code too), sorted, once each: what keys step between. */
  private readonly moments: Float64Array;

  constructor(data: PlaybackData) {
    this.data = data;
    const origin = new Date(data.origin).getTime();
    this.times = Float64Array.from(data.edits, (edit) => edit[0] as number);
    this.startedAt = data.startedAt ? new Date(data.startedAt).getTime() - origin : undefined;
    this.events = [
      ...data.runs.map((run, index): TimelineEvent => ({ kind: 'run', t: run.t, index, run })),
      ...data.signals.map((signal, index): TimelineEvent => ({ kind: 'signal', t: signal.t, index, signal })),
    ].sort((a, b) => a.t - b.t);

    // Pairview's seed (the starter code) is there before anyone starts: it does not begin the session.
    const people = data.edits.filter((edit) => data.authors[edit[1] as number]?.kind !== 'system').map((edit) => edit[0] as number);
    const activity = [...people, ...this.events.map((e) => e.t)].sort((a, b) => a - b);
    this.activity = Float64Array.from(activity);
    this.moments = Float64Array.from(new Set([...this.times, ...this.events.map((e) => e.t)])).sort();
    const first = activity[0];
    const last = Math.max(activity[activity.length - 1] ?? 0, this.times[this.times.length - 1] ?? 0);
    this.start = Math.min(this.startedAt ?? first ?? 0, first ?? Infinity);
    const focusEnds = data.signals.map((s) => s.t + (s.kind === 'focus_lost' ? (s.durationMs ?? 0) : 0));
    this.end = Math.max(this.start, last, ...focusEnds);
  }

  get empty(): boolean {
    return this.data.edits.length === 0;
  }

  /** Edits made at or before `t`. */
  editsAt(t: number): number {
    return countUpTo(this.times, t);
  }

  /** The text after the first `index` edits, from the keyframe before it. */
  stateAt(index: number): TextState {
    const target = Math.max(0, Math.min(index, this.data.edits.length));
    const keyframes = this.data.keyframes;
    let keyframe = keyframes[0]!;
    // Keyframes are at 0, k, 2k, …: the one to start from is found by division, checked in case of a gap.
    const guess = keyframes[Math.floor(target / this.data.keyframeEvery)];
    if (guess && guess.at <= target) keyframe = guess;
    else for (const k of keyframes) if (k.at <= target && k.at > keyframe.at) keyframe = k;
    const state: TextState = { index: keyframe.at, text: keyframe.text, authors: new AuthorRuns(keyframe.authors) };
    this.advance(state, target);
    return state;
  }

  /** Applies the edits after `state.index` up to `index` to `state`. */
  advance(state: TextState, index: number): void {
    const edits = this.data.edits;
    while (state.index < index && state.index < edits.length) applyEdit(state, edits[state.index]!);
  }

  /** The first thing someone did after `t`, if anything. */
  nextActivity(t: number): number | undefined {
    return this.activity[countUpTo(this.activity, t)];
  }

  /** One change back from what `t` shows: the moment of the change before the last one at or before `t`. */
  previousMoment(t: number): number {
    const shown = countUpTo(this.moments, t);
    return shown >= 2 ? this.moments[shown - 2]! : this.start;
  }

  /** One change on: the first moment after `t`. */
  nextMoment(t: number): number {
    return this.moments[countUpTo(this.moments, t)] ?? this.end;
  }

  /** The author of the last edit at or before `t` (undefined before any). */
  authorAt(t: number): number | undefined {
    const index = this.editsAt(t);
    return index > 0 ? (this.data.edits[index - 1]![1] as number) : undefined;
  }
}

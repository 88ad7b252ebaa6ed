import { describe, expect, it } from 'vitest';
import { EditTrackBuilder } from '../../../../server/src/rooms/playback.ts';
import { simulateSession } from '../../../../server/test/playback-session.ts';
import { PlaybackModel, type PlaybackData } from './model.ts';

const start = new Date('2030-01-08T06:00:00.000Z');

/** A session built into a track by the server's own builder, in the shape the API sends. */
function playbackOf(edits: number) {
  const session = simulateSession({
    start,
    edits,
    durationMs: 15 * 60_000,
    candidate: { kind: 'candidate', personId: null, name: 'Xiaoming' },
    interviewer: { kind: 'member', personId: '00000000-0000-4000-8000-00000000000a', name: 'Alice' },
    pastes: 2,
  });
  const builder = new EditTrackBuilder();
  session.forEach((u, i) => builder.add({ id: String(i + 1), update: u.update, author_kind: u.author.kind, person_id: u.author.personId, author_name: u.author.name, created_at: u.at }));
  const track = builder.finish();
  const data: PlaybackData = JSON.parse(
    JSON.stringify({
      interviewId: '00000000-0000-4000-8000-000000000001',
      language: 'python',
      startedAt: start,
      endedAt: null,
      origin: track.origin,
      authors: track.authors.map(({ name, kind, color }) => ({ name, kind, color })),
      edits: track.edits,
      keyframeEvery: track.keyframeEvery,
      keyframes: track.keyframes,
      finalText: track.finalText,
      runs: [{ t: session[40]!.at.getTime() - session[0]!.at.getTime(), author: 1, language: 'python', code: 'print(1)', stdin: '', output: '1\n', outputTruncated: false, exitStatus: 'ok', durationMs: 20 }],
      signals: [],
    }),
  );
  return { session, track, model: new PlaybackModel(data) };
}

describe('the playback model', () => {
  it('gives the text of every moment from the nearest keyframe, the final text at the end', () => {
    const { session, track, model } = playbackOf(1700);
    expect(track.edits.length).toBe(session.length);
    for (let i = 0; i <= session.length; i++) {
      const state = model.stateAt(i);
      expect(state.text, `after ${i} edits`).toBe(i === 0 ? '' : session[i - 1]!.text);
    }
    expect(model.stateAt(Infinity).text).toBe(track.finalText);
    // Who wrote what agrees with the server's own bookkeeping.
    expect(model.stateAt(session.length).authors.runs).toEqual(track.finalAuthors);
    for (const keyframe of track.keyframes.slice(1)) expect(model.stateAt(keyframe.at).authors.runs).toEqual(keyframe.authors);
  });

  it('finds moments by time: edits at or before t, the author then, the next activity', () => {
    const { session, model } = playbackOf(300);
    const origin = session[0]!.at.getTime();
    const t = (i: number) => session[i]!.at.getTime() - origin;
    expect(model.start).toBe(start.getTime() - origin);
    expect(model.end).toBe(t(session.length - 1));
    expect(model.editsAt(t(100))).toBe(101);
    expect(model.editsAt(t(100) - 1)).toBe(100);
    expect(model.stateAt(model.editsAt(model.end)).text).toBe(session[session.length - 1]!.text);
    expect(model.data.authors[model.authorAt(t(100))!]!.name).toBe(session[100]!.author.name);
    expect(model.nextActivity(t(100))).toBe(t(101));
    expect(model.nextActivity(model.end)).toBeUndefined();
    // One change back from a moment is the text without its last edit; one on, the next edit's.
    expect(model.previousMoment(t(100))).toBe(t(99));
    expect(model.previousMoment(t(100) + 500)).toBe(t(99));
    expect(model.nextMoment(t(100))).toBe(t(101));
    expect(model.nextMoment(model.end)).toBe(model.end);
    expect(model.events).toEqual([expect.objectContaining({ kind: 'run', t: t(40) })]);
  });
});

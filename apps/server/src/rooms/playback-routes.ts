/**
 * GET /api/interviews/:id/playback: the replay of the interview's pad (playback.ts) for the people who may read
 * the interview — never a candidate link. It holds names and everything typed: never kept by a cache on the way.
 */
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { interviewParticipant } from '../auth/policies.ts';
import { route, uuid } from '../http/route.ts';
import { loadPlayback } from './playback.ts';

const authorKind = z.enum(['member', 'candidate', 'system']);

export const playbackSchema = z.object({
  interviewId: z.uuid(),
  language: z.string(),
  startedAt: z.date().nullable(),
  endedAt: z.date().nullable(),
  origin: z.date(),
  authors: z.array(z.object({ name: z.string(), kind: authorKind, color: z.string().regex(/^#[0-9a-f]{6}$/) })),
  /** `[t, author, pos, del, ins, …]` (playback.ts, Edit). */
  edits: z.array(z.array(z.union([z.number(), z.string()]))),
  keyframeEvery: z.number().int(),
  keyframes: z.array(z.object({ at: z.number().int(), text: z.string(), authors: z.array(z.number().int()) })),
  finalText: z.string(),
  runs: z.array(
    z.object({
      t: z.number(),
      author: z.number().int(),
      language: z.string(),
      code: z.string(),
      stdin: z.string(),
      output: z.string(),
      outputTruncated: z.boolean(),
      exitStatus: z.enum(['ok', 'error', 'timeout', 'output_limit', 'unavailable']),
      durationMs: z.number().int(),
    }),
  ),
  signals: z.array(
    z.object({
      t: z.number(),
      author: z.number().int(),
      kind: z.enum(['paste', 'focus_lost']),
      chars: z.number().int().nullable(),
      durationMs: z.number().int().nullable(),
    }),
  ),
});

export function playbackRoutes(context: AppContext) {
  const { db } = context;
  return [
    route({
      method: 'GET',
      url: '/api/interviews/:id/playback',
      summary: "Replay of the interview's pad: edits with time and author, keyframes, runs, integrity signals, final text",
      policy: interviewParticipant,
      params: z.object({ id: uuid }),
      response: playbackSchema,
      async handler({ params, reply }) {
        reply.header('cache-control', 'no-store');
        return loadPlayback(db, params.id);
      },
    }),
  ];
}

/**
 * The room's jobs. After the end, the playback of the pad is built once and kept (collab_playbacks), so everyone
 * who opens it afterwards reads one row instead of replaying every edit (docs/benchmarks.md, Playback). It runs a
 * few seconds after the end, when the collaboration server has written its last buffered edits (FLUSH_MS).
 */
import type { Transaction } from 'kysely';
import type { TaskList } from 'graphile-worker';
import type { Db } from '../db/pool.ts';
import type { Database } from '../db/schema.ts';
import { addJob } from '../notifications/schedule.ts';
import { editTrack } from './playback.ts';

export const BUILD_PLAYBACK_TASK = 'room_build_playback';
const AFTER_END_MS = 5000;

export async function planPlaybackBuild(tx: Transaction<Database>, interviewId: string, endedAt: Date): Promise<void> {
  await addJob(tx, BUILD_PLAYBACK_TASK, { interviewId }, { runAt: new Date(endedAt.getTime() + AFTER_END_MS), jobKey: `${BUILD_PLAYBACK_TASK}:${interviewId}` });
}

export function roomTasks(deps: { db: Db }): TaskList {
  return {
    [BUILD_PLAYBACK_TASK]: async (payload, helpers) => {
      const { interviewId } = payload as { interviewId: string };
      const track = await editTrack(deps.db, interviewId);
      helpers.logger.info(`playback of interview ${interviewId} built: ${track?.edits.length ?? 0} edits`);
    },
  };
}

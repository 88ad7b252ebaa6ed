/**
 * "Something about this room changed": started, ended, cancelled, a new link, a setting, a run, a signal. Written
 * with pg_notify inside the transaction that made the change, so PostgreSQL delivers it only if the change
 * commits, to every Pairview process (each serves its own sockets). The collaboration server listens and brings
 * its documents and connections in line with the database (collab/server.ts).
 */
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../db/pool.ts';

export const ROOM_CHANNEL = 'pairview_room';

/**
 * Bumps the room's revision (which also orders concurrent changes of one room: the row stays locked until the
 * transaction ends) and tells every process.
 */
export async function announceRoomChange(db: Db, interviewId: string): Promise<void> {
  await sql`update rooms set revision = revision + 1 where interview_id = ${interviewId}`.execute(db);
  await sql`select pg_notify(${ROOM_CHANNEL}, ${interviewId})`.execute(db);
}

export interface RoomListener {
  stop(): Promise<void>;
}

/**
 * Calls `onChange(interviewId)` for every announcement, on one connection of its own. If that connection drops
 * (PostgreSQL restarted), it reconnects and calls `onReconnect`, since announcements made meanwhile are lost.
 */
export async function listenForRoomChanges(
  pool: pg.Pool,
  handlers: { onChange(interviewId: string): void; onReconnect(): void; onError(error: unknown): void },
): Promise<RoomListener> {
  let client: pg.PoolClient | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = await pool.connect();
    next.on('notification', (message) => {
      if (message.channel === ROOM_CHANNEL && message.payload) handlers.onChange(message.payload);
    });
    // A dying connection can report more than one error (the server's FATAL, then the end of the socket): the
    // client goes back to the pool, and a reconnect is planned, once.
    let broken = false;
    next.on('error', (error) => {
      if (broken) return;
      broken = true;
      handlers.onError(error);
      if (client === next) client = undefined;
      next.release(true);
      if (!stopped) schedule();
    });
    await next.query(`listen ${ROOM_CHANNEL}`);
    client = next;
  };
  const schedule = () => {
    retry = setTimeout(() => {
      connect().then(handlers.onReconnect, (error: unknown) => {
        handlers.onError(error);
        if (!stopped) schedule();
      });
    }, 1000);
    retry.unref();
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('error');
        current.on('error', () => {}); // it may still report the server going away while it is released
        await current.query(`unlisten ${ROOM_CHANNEL}`).catch(() => {});
        current.release();
      }
    },
  };
}

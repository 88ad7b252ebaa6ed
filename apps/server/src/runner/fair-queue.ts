/**
 * Runs on the code runner are shared by every room of this process: at most `maxInFlight` at once (what the
 * runner itself runs at once, so its own first-come queue never decides who goes next), at most `maxPerRoom` of
 * one room at once, and the rooms take turns. A room that clicks Run ten times waits behind its own runs, not in
 * front of another room's one; past `maxQueuedPerRoom` waiting, its next run is refused at once.
 */
export class RoomQueueFullError extends Error {
  override name = 'RoomQueueFullError';
}

interface Waiting {
  start(): void;
}

interface RoomLine {
  running: number;
  waiting: Waiting[];
}

export interface FairQueueOptions {
  maxInFlight: number;
  maxPerRoom: number;
  maxQueuedPerRoom: number;
}

export class FairQueue {
  private readonly options: FairQueueOptions;
  private readonly rooms = new Map<string, RoomLine>();
  /** Rooms in the order they take turns; the next turn starts after `cursor`. */
  private turn: string[] = [];
  private cursor = 0;
  private inFlight = 0;

  constructor(options: FairQueueOptions) {
    if (options.maxInFlight < 1 || options.maxPerRoom < 1 || options.maxQueuedPerRoom < 0) throw new Error('FairQueue: limits must be positive');
    this.options = options;
  }

  /** Runs `task` when it is the room's turn; rejects with RoomQueueFullError when the room has too many waiting. */
  async run<T>(room: string, task: () => Promise<T>): Promise<T> {
    const line = this.line(room);
    if (line.waiting.length >= this.options.maxQueuedPerRoom && !this.canStart(line)) {
      throw new RoomQueueFullError(`${line.running + line.waiting.length} runs of this room are already running or waiting`);
    }
    await new Promise<void>((resolve) => {
      line.waiting.push({ start: resolve });
      this.dispatch();
    });
    try {
      return await task();
    } finally {
      line.running--;
      this.inFlight--;
      if (line.running === 0 && line.waiting.length === 0) this.forget(room);
      this.dispatch();
    }
  }

  stats(): { inFlight: number; waiting: number; rooms: number } {
    let waiting = 0;
    for (const line of this.rooms.values()) waiting += line.waiting.length;
    return { inFlight: this.inFlight, waiting, rooms: this.rooms.size };
  }

  private line(room: string): RoomLine {
    let line = this.rooms.get(room);
    if (!line) {
      line = { running: 0, waiting: [] };
      this.rooms.set(room, line);
      this.turn.push(room);
    }
    return line;
  }

  private canStart(line: RoomLine): boolean {
    return this.inFlight < this.options.maxInFlight && line.running < this.options.maxPerRoom;
  }

  /** Starts waiting runs, one room per turn, while there are free slots. */
  private dispatch(): void {
    let idle = 0;
    while (this.inFlight < this.options.maxInFlight && this.turn.length > 0 && idle < this.turn.length) {
      this.cursor %= this.turn.length;
      const room = this.turn[this.cursor]!;
      this.cursor++;
      const line = this.rooms.get(room)!;
      if (line.waiting.length === 0 || line.running >= this.options.maxPerRoom) {
        idle++;
        continue;
      }
      idle = 0;
      line.running++;
      this.inFlight++;
      line.waiting.shift()!.start();
    }
  }

  private forget(room: string): void {
    this.rooms.delete(room);
    const index = this.turn.indexOf(room);
    if (index < 0) return;
    this.turn.splice(index, 1);
    if (index < this.cursor) this.cursor--;
  }
}

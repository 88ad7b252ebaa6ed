import { describe, expect, it } from 'vitest';
import { FairQueue, RoomQueueFullError } from './fair-queue.ts';

/** A task that finishes when the test says so, noting when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { task: async () => { log.push(name); await done; return name; }, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FairQueue', () => {
  it('rooms take turns: a room with many runs waiting does not hold back another room’s one', async () => {
    const queue = new FairQueue({ maxInFlight: 1, maxPerRoom: 1, maxQueuedPerRoom: 10 });
    const log: string[] = [];
    const gates = ['a1', 'a2', 'a3', 'b1'].map((name) => gate(log, name));
    const runs = gates.map((g, i) => queue.run(i < 3 ? 'a' : 'b', g.task));
    await tick();
    expect(log).toEqual(['a1']);
    for (const name of ['a1', 'b1', 'a2', 'a3']) {
      gates.find((_, i) => ['a1', 'a2', 'a3', 'b1'][i] === name)!.open();
      await tick();
    }
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(log).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect(queue.stats()).toEqual({ inFlight: 0, waiting: 0, rooms: 0 });
  });

  it('runs up to maxInFlight at once, at most maxPerRoom of one room', async () => {
    const queue = new FairQueue({ maxInFlight: 3, maxPerRoom: 2, maxQueuedPerRoom: 10 });
    const log: string[] = [];
    const gates = ['a1', 'a2', 'a3', 'b1', 'b2'].map((name) => gate(log, name));
    const runs = gates.map((g, i) => queue.run(i < 3 ? 'a' : 'b', g.task));
    await tick();
    expect(log.sort()).toEqual(['a1', 'a2', 'b1']);
    expect(queue.stats().inFlight).toBe(3);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(log).toHaveLength(5);
  });

  it('refuses a run at once when the room already has maxQueuedPerRoom waiting, and a failed task frees its slot', async () => {
    const queue = new FairQueue({ maxInFlight: 1, maxPerRoom: 1, maxQueuedPerRoom: 1 });
    const log: string[] = [];
    const first = gate(log, 'a1');
    const running = queue.run('a', first.task);
    const waiting = queue.run('a', async () => 'a2');
    await tick();
    await expect(queue.run('a', async () => 'a3')).rejects.toBeInstanceOf(RoomQueueFullError);
    // Another room is not affected by room a's queue.
    const other = queue.run('b', async () => { throw new Error('boom'); });
    first.open();
    expect(await running).toBe('a1');
    await expect(other).rejects.toThrow('boom');
    expect(await waiting).toBe('a2');
    expect(queue.stats()).toEqual({ inFlight: 0, waiting: 0, rooms: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { batched } from './batch.ts';

describe('batched (group commit)', () => {
  it('a lone call goes at once; calls made while one is in flight go together in the next', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const double = batched<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 2);
    });
    const first = double(1);
    await Promise.resolve();
    await Promise.resolve();
    const rest = [double(2), double(3), double(4)];
    release();
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps a batch at max; the rest go in the next one', async () => {
    const sizes: number[] = [];
    const id = batched<number, number>(async (items) => (sizes.push(items.length), items), { max: 3 });
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map(id))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('a failed statement fails every caller of its batch, and the next batch runs', async () => {
    let calls = 0;
    const flaky = batched<string, string>(async (items) => {
      if (++calls === 1) throw new Error('connection reset');
      return items;
    });
    const failed = await Promise.allSettled([flaky('a'), flaky('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await flaky('c')).toBe('c');
  });

  it('says so when the statement answers the wrong number of results', async () => {
    const broken = batched<number, number>(async () => []);
    await expect(broken(1)).rejects.toThrow(/answered 0 results for 1 items/);
  });
});

import type { Bench } from 'tinybench';

/** One line of a bench table: the same shape as bench/callback.ts. */
export interface BenchRow {
  task: string;
  opsPerSecond: number;
  meanMicroseconds: number;
  /** The median iteration: what a ratio between two tasks of one run should be taken from (load spikes move the mean). */
  medianMicroseconds: number;
  samples: number;
}

/** Turns tinybench results into rows; a task that did not complete is an error, not a fast number. */
export function rowsOf(bench: Bench): BenchRow[] {
  return bench.tasks.map((task): BenchRow => {
    const result = task.result as { throughput?: { mean: number }; latency?: { mean: number; p50: number; samplesCount?: number }; state?: string; error?: unknown };
    if (!result.throughput || !result.latency) {
      throw new Error(`benchmark task "${task.name}" did not complete (${result.state ?? 'unknown state'})`, { cause: result.error });
    }
    return {
      task: task.name,
      opsPerSecond: Math.round(result.throughput.mean),
      meanMicroseconds: Number((result.latency.mean * 1000).toFixed(2)),
      medianMicroseconds: Number((result.latency.p50 * 1000).toFixed(2)),
      samples: result.latency.samplesCount ?? task.runs,
    };
  });
}

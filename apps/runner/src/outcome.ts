// What a stage's result means, for a UI to word in its own languages. Reads Piston's fields only, so it works on
// answers from a Piston cluster as well as from this runner.
import type { StageOutcome, StageResult } from './types.ts';

export function stageOutcome(stage: Pick<StageResult, 'status' | 'message' | 'code' | 'signal'>): StageOutcome {
  const message = stage.message ?? '';
  switch (stage.status) {
    case 'TO':
      return /wall/i.test(message) ? 'wall_time_limit' : 'time_limit';
    case 'OL':
    case 'EL':
      return 'output_truncated';
    case 'XX':
      return 'internal_error';
    case 'SG':
      return /memory/i.test(message) ? 'memory_limit' : 'signal';
    case 'RE':
      return 'runtime_error';
  }
  if (stage.signal) return 'signal';
  if (stage.code !== null && stage.code !== 0) return 'runtime_error';
  return 'ok';
}

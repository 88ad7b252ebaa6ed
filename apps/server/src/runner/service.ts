/**
 * The room's server-side runs: code in the languages the browser does not run (Java, C++, Go, …) goes to a code
 * runner that speaks Piston's API — ours (apps/runner, started beside Pairview by main.ts) or a Piston cluster at
 * PAIRVIEW_RUNNER_URL. Runs are queued fairly across rooms (fair-queue.ts), and each answer becomes the same
 * record as a browser run: a status, what a person reads, whether it was cut, how long it took.
 */
import { createPistonClient, type ExecuteResponse, type PistonClient, type Runtime, type StageResult } from '@pairview/runner';
import type { RunExitStatus } from '../db/schema.ts';
import { ServiceUnavailableError, TooManyRequestsError } from '../errors.ts';
import type { LanguageId } from '../rooms/languages.ts';
import { FairQueue, RoomQueueFullError } from './fair-queue.ts';
import { roomLanguagesServed, runnerLanguage, runtimeName } from './languages.ts';

/** What a run shows, as in the browser's runner (apps/web/src/runner): 64 KiB. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** How long the list of runtimes is trusted before it is asked again. */
const RUNTIMES_TTL_MS = 60_000;

export interface RunJob {
  interviewId: string;
  language: LanguageId;
  code: string;
  stdin: string;
  /** Wall-time limit of the run stage (default: the runner's). */
  runTimeoutMs?: number;
}

export interface RunOutcome {
  status: RunExitStatus;
  /** What a person reads: the compile errors, or stdout and stderr interleaved, then why it stopped. */
  output: string;
  /** The run stage's stdout alone (what a test case compares with its expected output). */
  stdout: string;
  truncated: boolean;
  durationMs: number;
  failedStage: 'compile' | 'run' | null;
  /** The runner's word for how the stage ended ("Time limit exceeded", "Exited with error status 1"), if not 0. */
  message: string | null;
}

export interface CodeRunner {
  /** Room language ids the runner runs now (empty while it cannot be reached). */
  languages(): Promise<LanguageId[]>;
  /**
   * Runs the code when it is the room's turn. Rejects with a 429 when the room already has runs waiting, and with
   * a 503 when the runner cannot be reached or does not run the language.
   */
  run(job: RunJob): Promise<RunOutcome>;
}

export interface CodeRunnerOptions {
  baseUrl: string;
  /** Runs at once across all rooms: what the runner runs at once. Default 2. */
  maxInFlight?: number;
  /** Runs of one room at once. Default 1. */
  maxPerRoom?: number;
  /** Runs of one room that may wait. Default 3. */
  maxQueuedPerRoom?: number;
  /** Tests give their own client (a fetch with a shorter timeout); default: createPistonClient(baseUrl). */
  client?: PistonClient;
}

export function createCodeRunner(options: CodeRunnerOptions): CodeRunner {
  const client = options.client ?? createPistonClient(options.baseUrl);
  const queue = new FairQueue({ maxInFlight: options.maxInFlight ?? 2, maxPerRoom: options.maxPerRoom ?? 1, maxQueuedPerRoom: options.maxQueuedPerRoom ?? 3 });
  let runtimes: { list: Runtime[]; at: number } | undefined;

  async function currentRuntimes(): Promise<Runtime[]> {
    if (runtimes && Date.now() - runtimes.at < RUNTIMES_TTL_MS) return runtimes.list;
    try {
      runtimes = { list: await client.runtimes(), at: Date.now() };
    } catch (error) {
      runtimes = undefined;
      throw unreachable(options.baseUrl, error);
    }
    return runtimes.list;
  }

  return {
    async languages() {
      return roomLanguagesServed(await currentRuntimes().catch(() => []));
    },

    async run(job) {
      const language = runtimeName(job.language, await currentRuntimes());
      const file = runnerLanguage(job.language)?.file;
      if (!language || !file) throw notServed(job.language);
      const started = performance.now();
      let response: ExecuteResponse;
      try {
        response = await queue.run(job.interviewId, () =>
          client.execute({
            language,
            version: '*',
            files: [{ name: file, content: job.code }],
            stdin: job.stdin,
            ...(job.runTimeoutMs ? { run_timeout: job.runTimeoutMs } : {}),
          }),
        );
      } catch (error) {
        if (error instanceof RoomQueueFullError) throw queueFull();
        runtimes = undefined; // ask again next time: the runner may have restarted with other toolchains
        throw unreachable(options.baseUrl, error);
      }
      return outcomeOf(response, performance.now() - started);
    },
  };
}

/** A Piston answer as a room run. */
export function outcomeOf(response: ExecuteResponse, measuredMs: number): RunOutcome {
  const compileFailed = response.compile !== undefined && stageFailed(response.compile);
  const stage = compileFailed ? response.compile! : response.run;
  const status: RunExitStatus = !stageFailed(stage)
    ? 'ok'
    : stage.status === 'TO'
      ? 'timeout'
      : stage.status === 'OL' || stage.status === 'EL'
        ? 'output_limit'
        : 'error';
  const stageMs = (response.compile?.wall_time ?? 0) + (compileFailed ? 0 : (response.run.wall_time ?? 0));
  const tail = status === 'ok' ? '' : `${stage.output.endsWith('\n') || stage.output === '' ? '' : '\n'}[${stage.message ?? (compileFailed ? 'Compile error' : 'Error')}]`;
  const { text, truncated } = cap(stage.output + tail);
  return {
    status,
    output: text,
    stdout: compileFailed ? '' : response.run.stdout,
    truncated: truncated || status === 'output_limit',
    durationMs: Math.round(stageMs > 0 ? stageMs : measuredMs),
    failedStage: status === 'ok' ? null : compileFailed ? 'compile' : 'run',
    message: stage.message,
  };
}

function stageFailed(stage: StageResult): boolean {
  return stage.status !== null || (stage.code !== null && stage.code !== 0) || stage.signal !== null;
}

/** At most OUTPUT_CAP_BYTES of UTF-8, cut at a character. */
function cap(text: string): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= OUTPUT_CAP_BYTES) return { text, truncated: false };
  return { text: bytes.subarray(0, OUTPUT_CAP_BYTES).toString('utf8').replace(/\uFFFD$/, ''), truncated: true };
}

function unreachable(baseUrl: string, error: unknown): ServiceUnavailableError {
  // The URL's host only, and the kind of failure, not its text: a runner URL may carry credentials.
  const host = safeHost(baseUrl);
  const kind = (error as { kind?: unknown } | null)?.kind;
  const why = typeof kind === 'string' ? kind : 'no answer';
  return new ServiceUnavailableError({
    code: 'runner_unavailable',
    en: `The code runner at ${host} did not answer (${why}). Run the code again in a moment; an administrator can check PAIRVIEW_RUNNER_URL and the runner's log`,
    zh: `代码运行服务（${host}）没有响应。请稍后再运行；管理员可检查 PAIRVIEW_RUNNER_URL 与运行服务的日志。`,
  });
}

function notServed(language: string): ServiceUnavailableError {
  return new ServiceUnavailableError({
    code: 'language_not_runnable',
    en: `The code runner does not run ${language} on this server: an administrator can install its toolchain where the runner runs`,
    zh: `此服务器上的代码运行服务不支持 ${language}：管理员可在运行服务所在机器上安装相应的工具链。`,
  });
}

function queueFull(): TooManyRequestsError {
  return new TooManyRequestsError({
    code: 'runs_waiting',
    en: 'This room already has runs waiting: wait for them to finish, then run again',
    zh: '本面试间已有代码在排队运行，请等它们结束后再运行。',
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}

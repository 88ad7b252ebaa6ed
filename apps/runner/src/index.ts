// @pairview/runner: a sandboxed code runner with Piston's v2 API.
//   startRunner(options)      serve it (in-process); `npm run runner` does the same from the environment
//   probeSandbox()            what runs on this machine, and for what does not, why and how to fix it
//   createPistonClient(url)   a typed client for this runner or any Piston
//   stageOutcome(stage)       what a stage's result means (for wording it in a UI)
export { startRunner, probeSandbox } from './service.ts';
export { createPistonClient, PistonError } from './client.ts';
export { stageOutcome } from './outcome.ts';
export { runnerOptionsFromEnv, DEFAULT_LIMITS } from './config.ts';
export type * from './types.ts';

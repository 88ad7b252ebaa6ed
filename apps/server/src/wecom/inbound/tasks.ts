/**
 * The graphile-worker task of the inbound side: `handle_wecom_callback` handles one logged callback (handle.ts).
 * Added by logInboundCallbacks in the statement that logs the callback (one job per logged row, 5 attempts);
 * a failure throws, and graphile-worker retries it with backoff.
 */
import type { Task, TaskList } from 'graphile-worker';
import { HANDLE_CALLBACK_TASK } from '../callback-log.ts';
import { answerClickByApi, handleCallback, type InboundDeps } from './handle.ts';

export function inboundTasks(deps: InboundDeps): TaskList {
  const handle: Task = async (payload) => {
    const callbackId = (payload as { callbackId?: unknown } | null)?.callbackId;
    if (typeof callbackId !== 'string') throw new Error(`${HANDLE_CALLBACK_TASK} needs a payload {"callbackId": "<inbound_callbacks.id>"}`);
    const result = await handleCallback(deps, callbackId);
    // A click the request could not answer in time: answer it now through the API.
    if (result.status === 'handled' && result.click) await answerClickByApi(deps, result.click.event, result.click.answer);
  };
  return { [HANDLE_CALLBACK_TASK]: handle };
}

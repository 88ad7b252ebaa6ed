/**
 * The WeCom Notifier: how Pairview's domain notifications reach members' WeCom. The deliver_notification job
 * (notifications/tasks.ts) calls `deliver` once per attempt; for each recipient it
 *
 * 1. skips them if an earlier attempt already settled them (wecom_deliveries: never a second copy);
 * 2. resolves people.id → WeCom userid (missing or deactivated → dropped, with the reason);
 * 3. renders the message in config.locale (plan.ts → render/), or takes the body stored by an attempt whose
 *    outcome is unknown, so the resent request is identical;
 * 4. marks it `sending` with that body, then sends it through the SDK with enable_duplicate_check (WeCom drops an
 *    identical request inside the interval, §3.1). The SDK's limiter — its state in PostgreSQL, shared by every
 *    Pairview process — takes the per-API, per-member and daily quotas, serving the more urgent notifications
 *    first (notifications/priority.ts); a quota that will not be free within MAX_WAIT_MS makes the delivery
 *    `deferred` until it will be (queue, never drop; a digest waits for tomorrow's quota);
 * 5. records msgid and response_code, and registers interactive cards (cards.ts).
 *
 * Each recipient gets their own message/send: a member over quota does not hold back the others, a retry
 * resends only to those without it, and each card has its own response_code. The reads and writes of step 1, 2,
 * 4 and 5 are shared by the deliveries running at once (one statement for many; deliveries.ts).
 */
import { RateLimitWaitError, type Message, type QuotaPriority } from '@pairview/wecom';
import type { DomainNotification } from '../../notifications/notification.ts';
import type { DeliveryOutcome, Notifier, OutboundNotification } from '../../notifications/notifier.ts';
import { deliveryPriority } from '../../notifications/priority.ts';
import type { WeComGlueDeps } from '../deps.ts';
import { cardKindOfTask } from './card-keys.ts';
import { registerCard } from './cards.ts';
import {
  deliveryStatements,
  isSettled,
  markReported,
  noteTransientError,
  settledOf,
  storedMessage,
  unmarkSending,
  type DeliveryRow,
  type Final,
  type Settled,
} from './deliveries.ts';
import { classifyFailure, errcodeOf } from './errors.ts';
import type { RenderEnv } from './format.ts';
import { stringsFor } from './i18n/index.ts';
import { planNotification, type CardMeta, type DropAll, type Plan } from './plan.ts';
import { outboundDb } from './tables.ts';
import type { PersonView } from './view.ts';

/**
 * WeCom's longest duplicate-check interval, 4 hours (§3.1): a retry within it is recognised as a repeat. The
 * delivery job's retries (graphile-worker backoff, 10 attempts) fall inside it.
 */
export const DUPLICATE_CHECK_INTERVAL_S = 14_400;

/**
 * How long a delivery waits in its job for a quota before it is re-planned for when the quota frees: the pace of
 * the per-API quota (a few ms between sends) is waited out here; a member's full minute or the day's quota is not.
 */
export const MAX_WAIT_MS = 3_000;

export interface WeComNotifierOptions {
  /** How long a send may wait for its quota in the job (default MAX_WAIT_MS); longer waits are `deferred`. */
  maxWaitMs?: number;
}

type RecipientOutcome =
  | { status: 'settled'; settled: Settled }
  | { status: 'deferred'; until: Date; reason: string }
  | { status: 'error'; error: unknown };

/** The errors of a delivery that should be retried; `errcode` is the first WeCom one (kept on the outbox row). */
export class TransientDeliveryError extends Error {
  readonly errcode: number | undefined;
  constructor(errors: readonly unknown[], recipients: number) {
    const first = errors[0];
    const message = first instanceof Error ? first.message : String(first);
    super(errors.length === 1 && recipients === 1 ? message : `${errors.length} of ${recipients} recipients: ${message}`, { cause: first });
    this.name = 'TransientDeliveryError';
    this.errcode = errors.map(errcodeOf).find((c) => c !== undefined);
  }
}

export function createWeComNotifier(deps: WeComGlueDeps, options: WeComNotifierOptions = {}): Notifier {
  const outbound = outboundDb(deps.db);
  const strings = stringsFor(deps.config.locale);
  const maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
  const planDeps = { db: deps.db, outbound, client: deps.client, clock: deps.clock, log: deps.log };
  const deliveries = deliveryStatements(outbound, deps.clock);
  const settle = async (outboxId: string, personId: string, final: Final): Promise<RecipientOutcome> => ({
    status: 'settled',
    settled: await deliveries.settle(outboxId, personId, final),
  });

  async function deliverTo(
    outboxId: string,
    notification: DomainNotification,
    personId: string,
    person: PersonView | undefined,
    row: DeliveryRow | undefined,
    plan: () => Promise<Plan | DropAll>,
  ): Promise<RecipientOutcome> {
    try {
      if (!person) return await settle(outboxId, personId, { status: 'dropped', errmsg: 'not in Pairview\'s directory' });
      if (!person.active) return await settle(outboxId, personId, { status: 'dropped', wecomUserId: person.wecomUserId, errmsg: 'deactivated in the WeCom directory' });

      let message = storedMessage(row);
      let card: CardMeta | undefined;
      const resend = message !== undefined;
      if (message) {
        // A send whose outcome is unknown: the same body again, nothing re-rendered (see deliveries.ts).
        card = storedCard(row!, notification);
      } else {
        const resolved = await plan();
        if ('dropAll' in resolved) return await settle(outboxId, personId, { status: 'dropped', wecomUserId: person.wecomUserId, errmsg: resolved.dropAll });
        const step = await resolved.forRecipient(person);
        if (step.type === 'drop') return await settle(outboxId, personId, { status: 'dropped', wecomUserId: person.wecomUserId, errmsg: step.reason });
        if (step.type === 'done') return await settle(outboxId, personId, { status: 'sent', wecomUserId: person.wecomUserId, via: step.via });
        message = step.message;
        card = step.card;
      }
      return await send(outboxId, person, message, card, deliveryPriority(notification.kind), resend);
    } catch (error) {
      return { status: 'error', error };
    }
  }

  async function send(outboxId: string, person: PersonView, message: Message, card: CardMeta | undefined, priority: QuotaPriority, resend: boolean): Promise<RecipientOutcome> {
    await deliveries.markSending({ outboxId, personId: person.id, wecomUserId: person.wecomUserId, message, cardTaskId: card?.taskId ?? null });
    let result;
    try {
      result = await deps.client.message.send({ toUser: [person.wecomUserId] }, message, {
        enableDuplicateCheck: true,
        duplicateCheckInterval: DUPLICATE_CHECK_INTERVAL_S,
        priority,
        maxWaitMs,
      });
    } catch (error) {
      if (error instanceof RateLimitWaitError && Number.isFinite(error.retryAt)) {
        // Not now: a quota is used up until retryAt. If no attempt of this call reached WeCom, nothing was sent
        // (a first send then renders afresh next time); otherwise the stored body is resent (duplicate check).
        if (error.attempt === 1) await unmarkSending(outbound, outboxId, person.id, resend);
        return { status: 'deferred', until: new Date(error.retryAt), reason: `${error.quotas.join(', ')}: ${error.message}` };
      }
      const failure = classifyFailure(error);
      if (failure.kind === 'transient') {
        await noteTransientError(outbound, deps.clock, outboxId, person.id, errcodeOf(error), error instanceof Error ? error.message : String(error));
        return { status: 'error', error };
      }
      return await settle(outboxId, person.id, { status: 'failed', wecomUserId: person.wecomUserId, via: 'message', errcode: failure.errcode, errmsg: failure.errmsg });
    }

    if (card) {
      await registerCard(outbound, {
        taskId: card.taskId,
        kind: card.kind,
        interviewId: card.interviewId,
        outboxId,
        personId: person.id,
        wecomUserId: person.wecomUserId,
        scorecardId: card.scorecardId,
        msgid: result.msgid,
        responseCode: result.responseCode,
        sentAt: deps.clock.now(),
      });
    }
    return await settle(outboxId, person.id, { status: 'sent', wecomUserId: person.wecomUserId, via: 'message', msgid: result.msgid, responseCode: result.responseCode });
  }

  return {
    async deliver(message: OutboundNotification): Promise<DeliveryOutcome> {
      const { outboxId, notification } = message;
      const recipients = [...new Set(notification.recipients)];
      const { rows, people: found } = await deliveries.load({ outboxId, people: recipients });
      const results = new Map<string, Settled>();
      for (const [personId, row] of rows) if (isSettled(row)) results.set(personId, settledOf(row));
      const pending = recipients.filter((id) => !results.has(id));

      if (pending.length > 0) {
        const env: RenderEnv = { locale: deps.config.locale, strings, timeZone: deps.config.timeZone, links: deps.links, ref: outboxId, now: deps.clock.now() };
        // Planned once per attempt, and only when someone needs it.
        let planned: Promise<Plan | DropAll> | undefined;
        const plan = () =>
          (planned ??= planNotification(planDeps, outboxId, notification, env).then(async (p) => {
            if (!('dropAll' in p)) await p.prepare?.();
            return p;
          }));
        const outcomes = await Promise.all(pending.map((id) => deliverTo(outboxId, notification, id, found.get(id), rows.get(id), plan)));

        const errors = outcomes.flatMap((o) => (o.status === 'error' ? [o.error] : []));
        if (errors.length > 0) throw new TransientDeliveryError(errors, pending.length);
        const deferred = outcomes.flatMap((o) => (o.status === 'deferred' ? [o] : []));
        if (deferred.length > 0) {
          const first = deferred.reduce((a, b) => (b.until < a.until ? b : a));
          return { status: 'deferred', until: first.until, reason: first.reason };
        }
        for (const o of outcomes) if (o.status === 'settled') results.set(o.settled.personId, o.settled);
      }

      const all = recipients.map((id) => results.get(id)).filter((r): r is Settled => r !== undefined);
      // The outbox row is about to report these: its next delivery (an admin's retry) tries them again.
      if (all.some((r) => r.status !== 'sent')) await markReported(outbound, outboxId);
      return outcomeOf(all);
    },
  };
}

/** One outcome for the outbox row: any failure makes it failed (retryable by an admin), else sent, else dropped. */
function outcomeOf(all: readonly Settled[]): DeliveryOutcome {
  const failed = all.filter((r) => r.status === 'failed');
  const sent = all.filter((r) => r.status === 'sent');
  const who = (r: Settled) => r.wecomUserId ?? r.personId;
  if (failed.length > 0) {
    const errmsg = failed.map((r) => `${who(r)}: ${r.errmsg ?? 'failed'}`).join('; ');
    const prefix = sent.length > 0 ? `sent to ${sent.length} of ${all.length}; ` : '';
    return { status: 'failed', errcode: failed.find((r) => r.errcode !== null)?.errcode ?? undefined, errmsg: `${prefix}${errmsg}`.slice(0, 2000) };
  }
  if (sent.length > 0) {
    const msgids = sent.map((r) => r.msgid).filter((m): m is string => !!m);
    return { status: 'sent', msgid: msgids.length > 0 ? msgids.join(',') : undefined };
  }
  return { status: 'dropped', reason: [...new Set(all.map((r) => r.errmsg ?? 'nothing to send'))].join('; ') };
}

/** The card of a stored send, from its task id and the notification (which names the interview). */
function storedCard(row: DeliveryRow, notification: DomainNotification): CardMeta | undefined {
  const kind = row.card_task_id ? cardKindOfTask(row.card_task_id) : undefined;
  if (!kind || !row.card_task_id || !('interviewId' in notification)) return undefined;
  return {
    kind,
    taskId: row.card_task_id,
    interviewId: notification.interviewId,
    scorecardId: notification.kind === 'scorecard_submitted' ? notification.scorecardId : null,
  };
}

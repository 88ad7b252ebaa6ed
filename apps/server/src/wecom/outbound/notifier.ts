/**
 * The WeCom Notifier: how Pairview's domain notifications reach members' WeCom. The deliver_notification job
 * (notifications/tasks.ts) calls `deliver` once per attempt; for each recipient it
 *
 * 1. skips them if an earlier attempt already settled them (wecom_deliveries: never a second copy);
 * 2. resolves people.id → WeCom userid (missing or deactivated → dropped, with the reason);
 * 3. renders the message in config.locale (plan.ts → render/), or takes the body stored by an attempt whose
 *    outcome is unknown, so the resent request is identical;
 * 4. takes a unit of the member's quota in PostgreSQL (quota.ts) or waits for it (`deferred`: queue, never drop);
 * 5. sends it with enable_duplicate_check (WeCom drops an identical request inside the interval, §3.1), records
 *    msgid and response_code, and registers interactive cards (cards.ts).
 *
 * Each recipient gets their own message/send: a member over quota does not hold back the others, a retry
 * resends only to those without it, and each card has its own response_code.
 */
import type { Message } from '@pairview/wecom';
import type { DomainNotification } from '../../notifications/notification.ts';
import type { DeliveryOutcome, Notifier, OutboundNotification } from '../../notifications/notifier.ts';
import type { WeComGlueDeps } from '../deps.ts';
import { cardKindOfTask } from './card-keys.ts';
import { registerCard } from './cards.ts';
import {
  isSettled,
  loadDeliveries,
  markReported,
  markSending,
  noteTransientError,
  settle,
  settledOf,
  storedMessage,
  type DeliveryRow,
  type Settled,
} from './deliveries.ts';
import { classifyFailure, errcodeOf } from './errors.ts';
import type { RenderEnv } from './format.ts';
import { stringsFor } from './i18n/index.ts';
import { planNotification, type CardMeta, type DropAll, type Plan } from './plan.ts';
import { MEMBER_QUOTA, reserveMemberSend, type QuotaWindow } from './quota.ts';
import { outboundDb } from './tables.ts';
import { loadPeople, type PersonView } from './view.ts';

/**
 * WeCom's longest duplicate-check interval, 4 hours (§3.1): a retry within it is recognised as a repeat. The
 * delivery job's retries (graphile-worker backoff, 10 attempts) fall inside it.
 */
export const DUPLICATE_CHECK_INTERVAL_S = 14_400;

export interface WeComNotifierOptions {
  /** Per-member windows; default WeCom's 30/min and 1000/h. */
  quota?: readonly QuotaWindow[];
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
  const quota = options.quota ?? MEMBER_QUOTA;
  const planDeps = { db: deps.db, outbound, client: deps.client, clock: deps.clock, log: deps.log };

  async function deliverTo(
    outboxId: string,
    notification: DomainNotification,
    personId: string,
    person: PersonView | undefined,
    row: DeliveryRow | undefined,
    plan: () => Promise<Plan | DropAll>,
  ): Promise<RecipientOutcome> {
    const settled = async (final: Parameters<typeof settle>[4]): Promise<RecipientOutcome> => ({
      status: 'settled',
      settled: await settle(outbound, deps.clock, outboxId, personId, final),
    });
    try {
      if (!person) return await settled({ status: 'dropped', errmsg: 'not in Pairview\'s directory' });
      if (!person.active) return await settled({ status: 'dropped', wecomUserId: person.wecomUserId, errmsg: 'deactivated in the WeCom directory' });

      let message = storedMessage(row);
      let card: CardMeta | undefined;
      if (message) {
        // A send whose outcome is unknown: the same body again, nothing re-rendered (see deliveries.ts).
        card = storedCard(row!, notification);
      } else {
        const resolved = await plan();
        if ('dropAll' in resolved) return await settled({ status: 'dropped', wecomUserId: person.wecomUserId, errmsg: resolved.dropAll });
        const step = await resolved.forRecipient(person);
        if (step.type === 'drop') return await settled({ status: 'dropped', wecomUserId: person.wecomUserId, errmsg: step.reason });
        if (step.type === 'done') return await settled({ status: 'sent', wecomUserId: person.wecomUserId, via: step.via });
        message = step.message;
        card = step.card;
      }
      return await send(outboxId, person, message, card);
    } catch (error) {
      return { status: 'error', error };
    }
  }

  async function send(outboxId: string, person: PersonView, message: Message, card: CardMeta | undefined): Promise<RecipientOutcome> {
    const reservation = await outbound.transaction().execute(async (tx) => {
      const taken = await reserveMemberSend(tx, person.wecomUserId, deps.clock.now(), outboxId, quota);
      if (taken.ok) {
        await markSending(tx, deps.clock, { outboxId, personId: person.id, wecomUserId: person.wecomUserId, message, cardTaskId: card?.taskId ?? null });
      }
      return taken;
    });
    if (!reservation.ok) return { status: 'deferred', until: reservation.until, reason: reservation.reason };

    let result;
    try {
      result = await deps.client.message.send({ toUser: [person.wecomUserId] }, message, {
        enableDuplicateCheck: true,
        duplicateCheckInterval: DUPLICATE_CHECK_INTERVAL_S,
      });
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.kind === 'transient') {
        await noteTransientError(outbound, deps.clock, outboxId, person.id, errcodeOf(error), error instanceof Error ? error.message : String(error));
        return { status: 'error', error };
      }
      // WeCom refused it as a whole (or it never left): it did not count against the member's quota.
      await outbound.deleteFrom('wecom_member_sends').where('id', '=', reservation.id).execute();
      const final = { status: 'failed', wecomUserId: person.wecomUserId, via: 'message', errcode: failure.errcode, errmsg: failure.errmsg } as const;
      return { status: 'settled', settled: await settle(outbound, deps.clock, outboxId, person.id, final) };
    }

    const at = deps.clock.now();
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
        sentAt: at,
      });
    }
    const final = { status: 'sent', wecomUserId: person.wecomUserId, via: 'message', msgid: result.msgid, responseCode: result.responseCode } as const;
    // The quota reservation now counts from the answer's time, in the same statement (see quota.ts).
    return { status: 'settled', settled: await settle(outbound, deps.clock, outboxId, person.id, final, { reservationId: reservation.id, at }) };
  }

  return {
    async deliver(message: OutboundNotification): Promise<DeliveryOutcome> {
      const { outboxId, notification } = message;
      const recipients = [...new Set(notification.recipients)];
      const [rows, people] = await Promise.all([loadDeliveries(outbound, outboxId), loadPeople(deps.db, recipients)]);
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
        const outcomes = await Promise.all(pending.map((id) => deliverTo(outboxId, notification, id, people.get(id), rows.get(id), plan)));

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

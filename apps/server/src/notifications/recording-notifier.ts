/**
 * An in-process Notifier that records what it is asked to deliver and answers with a chosen outcome. For tests
 * of the delivery pipeline, and for running Pairview without WeCom while developing the web app.
 */
import type { DeliveryOutcome, Notifier, OutboundNotification } from './notifier.ts';

export class RecordingNotifier implements Notifier {
  readonly delivered: OutboundNotification[] = [];
  /** Decides the outcome per message; default: sent with a made-up msgid. Throw from it to simulate a transient error. */
  outcome: (message: OutboundNotification) => DeliveryOutcome | Promise<DeliveryOutcome>;

  constructor(outcome?: (message: OutboundNotification) => DeliveryOutcome | Promise<DeliveryOutcome>) {
    this.outcome = outcome ?? ((message) => ({ status: 'sent', msgid: `msg-${message.outboxId}` }));
  }

  async deliver(message: OutboundNotification): Promise<DeliveryOutcome> {
    this.delivered.push(message);
    return this.outcome(message);
  }

  kinds(): string[] {
    return this.delivered.map((m) => m.notification.kind);
  }
}

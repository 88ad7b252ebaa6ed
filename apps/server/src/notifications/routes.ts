import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { anyRole } from '../auth/policies.ts';
import { isoDateTime, queryInt, route, uuid } from '../http/route.ts';
import { listCallbacks, listMessages, retryMessage } from './message-log.ts';
import { NOTIFICATION_KINDS } from './notification.ts';

const outboxStatus = z.enum(['queued', 'sending', 'sent', 'failed', 'dropped']);

export const messageSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  status: outboxStatus,
  recipients: z.array(z.object({ id: z.uuid(), name: z.string(), wecomUserId: z.string() })),
  interviewId: z.uuid().nullable(),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  errcode: z.number().int().nullable(),
  errmsg: z.string().nullable(),
  msgid: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastAttemptAt: z.date().nullable(),
  sentAt: z.date().nullable(),
});

export function messageRoutes(context: AppContext) {
  const { db, clock } = context;
  return [
    route({
      method: 'GET',
      url: '/api/messages',
      summary: 'Outbound message log with filters, newest first (admin); page with `before`',
      policy: anyRole('admin'),
      query: z.object({
        status: outboxStatus.optional(),
        kind: z.enum(NOTIFICATION_KINDS).optional(),
        recipientId: z.uuid().optional(),
        interviewId: z.uuid().optional(),
        before: isoDateTime.optional(),
        limit: queryInt(1, 500).default(100),
      }),
      response: z.object({ messages: z.array(messageSchema) }),
      async handler({ query }) {
        return { messages: await listMessages(db, query) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/messages/:id/retry',
      summary: 'Queue a failed or dropped message again (admin)',
      policy: anyRole('admin'),
      params: z.object({ id: uuid }),
      response: z.object({ id: z.uuid(), status: z.literal('queued') }),
      async handler({ params }) {
        await retryMessage(db, clock, params.id);
        return { id: params.id, status: 'queued' as const };
      },
    }),
    route({
      method: 'GET',
      url: '/api/callbacks',
      summary: 'Inbound WeCom callback log, newest first (admin)',
      policy: anyRole('admin'),
      query: z.object({
        eventType: z.string().max(100).optional(),
        before: isoDateTime.optional(),
        limit: queryInt(1, 500).default(100),
      }),
      response: z.object({
        callbacks: z.array(
          z.object({
            id: z.uuid(),
            dedupeKey: z.string(),
            eventType: z.string(),
            raw: z.unknown(),
            receivedAt: z.date(),
            handledAt: z.date().nullable(),
            error: z.string().nullable(),
          }),
        ),
      }),
      async handler({ query }) {
        return { callbacks: await listCallbacks(db, query) };
      },
    }),
  ];
}

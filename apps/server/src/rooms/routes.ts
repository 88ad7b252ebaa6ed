import { z } from 'zod';
import type { AppContext } from '../app.ts';
import { anyRole, candidateLink, requireCandidate } from '../auth/policies.ts';
import { NotFoundError } from '../errors.ts';
import { route, uuid } from '../http/route.ts';
import { candidateLinkUrl, replaceRoomLink } from './links.ts';
import { candidateJoin, candidateRoomView } from './service.ts';

export const candidateRoomSchema = z.object({
  position: z.string(),
  startsAt: z.date(),
  durationMinutes: z.number(),
  candidateName: z.string(),
  joinedAt: z.date().nullable(),
  interviewers: z.array(z.object({ name: z.string() })),
});

export function roomRoutes(context: AppContext) {
  const { db, clock, config } = context;
  return [
    route({
      method: 'GET',
      url: '/api/room-links/:token',
      summary: 'Room page data for the candidate holding the link (its own room only; dead links get 403)',
      policy: candidateLink,
      response: candidateRoomSchema,
      async handler({ principal }) {
        return candidateRoomView(db, requireCandidate(principal).room);
      },
    }),
    route({
      method: 'POST',
      url: '/api/room-links/:token/join',
      summary: 'The candidate enters the room with a name; the first entry notifies the interviewers',
      policy: candidateLink,
      body: z.object({ name: z.string().trim().min(1).max(100) }),
      response: z.object({ joined: z.literal(true), firstJoin: z.boolean() }),
      async handler({ principal, body }) {
        const { firstJoin } = await candidateJoin(db, clock, requireCandidate(principal).room, body.name);
        return { joined: true as const, firstJoin };
      },
    }),
    route({
      method: 'POST',
      url: '/api/interviews/:id/candidate-link',
      summary: 'A new candidate link (recruiter); the previous link stops working',
      policy: anyRole('recruiter'),
      params: z.object({ id: uuid }),
      response: z.object({ candidateLink: z.url() }),
      async handler({ params }) {
        const token = await replaceRoomLink(db, params.id);
        if (!token) {
          throw new NotFoundError({
            code: 'room_not_open',
            en: `Interview ${params.id} has no open room (it does not exist, ended or was cancelled)`,
            zh: '这场面试没有开放的面试间（面试不存在、已结束或已取消）。',
          });
        }
        return { candidateLink: candidateLinkUrl(config.publicUrl, token) };
      },
    }),
  ];
}

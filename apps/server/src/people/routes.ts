import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { anyRole } from '../auth/policies.ts';
import { ROLES } from '../auth/principal.ts';
import { route, uuid } from '../http/route.ts';
import { getPerson, listPeople, personView, setRoles } from './people.ts';

export const personSchema = z.object({
  id: z.uuid(),
  wecomUserId: z.string(),
  name: z.string(),
  englishName: z.string().nullable(),
  departmentIds: z.array(z.number()),
  active: z.boolean(),
  roles: z.array(z.enum(ROLES)),
});

const grantable = z.enum(['recruiter', 'hiring_manager']);

export function peopleRoutes(context: AppContext) {
  const { db, config, clock } = context;
  return [
    route({
      method: 'GET',
      url: '/api/people',
      summary: 'The directory (to pick interviewers and hiring managers, and for the admin page)',
      policy: anyRole('recruiter', 'admin'),
      query: z.object({
        active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        role: grantable.optional(),
        search: z.string().trim().min(1).max(100).optional(),
      }),
      response: z.object({ people: z.array(personSchema) }),
      async handler({ query }) {
        const people = await listPeople(db, query);
        return { people: people.map((p) => personView(p, config.admins)) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/people/:id',
      summary: 'One person',
      policy: anyRole('recruiter', 'admin'),
      params: z.object({ id: uuid }),
      response: personSchema,
      async handler({ params }) {
        return personView(await getPerson(db, params.id), config.admins);
      },
    }),
    route({
      method: 'PUT',
      url: '/api/people/:id/roles',
      summary: 'Grant or revoke recruiter / hiring manager (admin)',
      policy: anyRole('admin'),
      params: z.object({ id: uuid }),
      body: z.object({ roles: z.array(grantable).max(2) }),
      response: personSchema,
      async handler({ params, body }) {
        return personView(await setRoles(db, params.id, body.roles, clock), config.admins);
      },
    }),
  ];
}

import { z } from 'zod';
import { userSchema } from '../../auth/schemas.js';
import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { requireRole } from '../../server/require-actor.js';
import { registerRecordRoutes } from '../records/routes.js';
import { createUser, createUserInput } from './create-user.js';
import { deactivateUser } from './deactivate-user.js';
import { userResource } from './user-resource.js';

export function userRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  registerRecordRoutes(app, context, userResource, ['list', 'get', 'update']);

  app.post('/api/v1/users', {
    schema: { tags: ['users'], summary: 'Create a user who can sign in (admin)', body: createUserInput, response: { 201: userSchema } },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin');
      const user = await withActor(db, actor, (tx) => createUser(tx, request.body));
      return reply.status(201).send(user);
    },
  });

  app.delete('/api/v1/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Deactivate a user: they can no longer sign in, their records stay (admin)',
      params: z.object({ id: z.uuid() }).strict(),
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin');
      await withActor(db, actor, (tx) => deactivateUser(tx, actor, request.params.id));
      return reply.status(204).send(null);
    },
  });
}

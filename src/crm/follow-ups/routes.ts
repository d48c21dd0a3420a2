import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { requireRole } from '../../server/require-actor.js';
import { idParams, registerRecordRoutes } from '../records/routes.js';
import { completeFollowUp } from './complete-follow-up.js';
import { followUpResource, followUpSchema } from './follow-up-resource.js';

export function followUpRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  registerRecordRoutes(app, context, followUpResource);

  app.post('/api/v1/follow_ups/:id/complete', {
    schema: {
      tags: ['follow_ups'],
      summary: 'Mark a follow-up completed now',
      params: idParams,
      response: { 200: followUpSchema },
    },
    handler: async (request) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent');
      return withActor(db, actor, (tx) => completeFollowUp(tx, actor, request.params.id));
    },
  });
}

import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { requireRole } from '../../server/require-actor.js';
import { listEnvelope } from '../records/resource.js';
import { registerRecordRoutes } from '../records/routes.js';
import { pipelineStageResource, pipelineStageSchema } from './pipeline-stage-resource.js';
import { reorderPipelineStages, reorderPipelineStagesInput } from './reorder-pipeline-stages.js';

export function pipelineRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  registerRecordRoutes(app, context, pipelineStageResource);

  app.post('/api/v1/pipeline_stages/reorder', {
    schema: {
      tags: ['pipeline_stages'],
      summary: 'Put the pipeline stages in a new order (admin)',
      body: reorderPipelineStagesInput,
      response: { 200: listEnvelope(pipelineStageSchema) },
    },
    handler: async (request) => {
      const actor = requireRole(request, 'admin');
      return withActor(db, actor, (tx) => reorderPipelineStages(tx, request.body));
    },
  });
}

import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { conversationResource } from './conversation-resource.js';

/** Read by people; created and updated by integrations that hold conversations elsewhere. */
export function conversationRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, conversationResource, ['list', 'get', 'create', 'update']);
}

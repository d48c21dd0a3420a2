import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { opportunityResource } from './opportunity-resource.js';

export function opportunityRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, opportunityResource);
}

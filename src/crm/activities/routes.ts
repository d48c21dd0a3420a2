import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { activityResource } from './activity-resource.js';

export function activityRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, activityResource);
}

import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { meetingResource } from './meeting-resource.js';

/** Status changes and rescheduling (new start_time and end_time) are PATCHes. */
export function meetingRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, meetingResource);
}

import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { noteResource } from './note-resource.js';

export function noteRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, noteResource);
}

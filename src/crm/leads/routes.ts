import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { leadResource } from './lead-resource.js';

export function leadRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, leadResource({ defaultCountry: context.config.defaultCountry }));
}

import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { clientResource } from './client-resource.js';

export function clientRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, clientResource({ defaultCountry: context.config.defaultCountry }));
}

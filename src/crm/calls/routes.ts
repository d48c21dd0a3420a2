import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { callResource } from './call-resource.js';

export function callRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, callResource({ defaultCountry: context.config.defaultCountry }));
}

import type { App, AppContext } from '../../server/context.js';
import { registerRecordRoutes } from '../records/routes.js';
import { contactResource } from './contact-resource.js';

export function contactRoutes(app: App, context: AppContext): void {
  registerRecordRoutes(app, context, contactResource({ defaultCountry: context.config.defaultCountry }));
}

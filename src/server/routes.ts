import { apiKeyRoutes } from '../auth/api-key-routes.js';
import { authRoutes } from '../auth/routes.js';
import { auditResource } from '../crm/audit/audit-resource.js';
import { eventRoutes } from '../crm/events/routes.js';
import { leadRoutes } from '../crm/leads/routes.js';
import { registerRecordRoutes } from '../crm/records/routes.js';
import { userRoutes } from '../crm/users/routes.js';
import { systemRoutes } from '../system/routes.js';
import type { App, AppContext } from './context.js';

export async function registerRoutes(app: App, context: AppContext): Promise<void> {
  systemRoutes(app, context);
  authRoutes(app, context);
  apiKeyRoutes(app, context);
  userRoutes(app, context);
  leadRoutes(app, context);
  eventRoutes(app, context);
  registerRecordRoutes(app, context, auditResource, ['list']);
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}

import { z } from 'zod';
import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { requireActor } from '../../server/require-actor.js';
import { listEnvelope } from '../records/resource.js';
import { idParams, registerRecordRoutes, toListQuery } from '../records/routes.js';
import { listNotifications, listNotificationsQuery } from './list-notifications.js';
import { countUnread, markAllNotificationsRead, markNotificationRead } from './mark-notification-read.js';
import { notificationResource, notificationSchema } from './notification-resource.js';
import {
  getNotificationPreferences,
  notificationPreferencesSchema,
  setNotificationPreferences,
} from './notification-preferences.js';

/** Everyone, viewers included, reads and dismisses their own notifications; nobody creates one through the API. */
export function notificationRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['notifications'];
  registerRecordRoutes(app, context, notificationResource, ['get', 'delete']);

  app.get('/api/v1/notifications', {
    schema: {
      tags,
      summary: 'Your notifications, newest first',
      querystring: listNotificationsQuery,
      response: { 200: listEnvelope(notificationSchema) },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      const query = toListQuery(notificationResource, request.query as Record<string, unknown>);
      return withActor(db, actor, (tx) => listNotifications(tx, query, request.query.unread));
    },
  });

  app.get('/api/v1/notifications/unread_count', {
    schema: { tags, summary: 'How many of your notifications are unread', response: { 200: z.object({ count: z.number().int() }) } },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) => countUnread(tx));
    },
  });

  app.post('/api/v1/notifications/:id/read', {
    schema: { tags, summary: 'Mark a notification read', params: idParams, response: { 200: notificationSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) => markNotificationRead(tx, request.params.id));
    },
  });

  app.post('/api/v1/notifications/read_all', {
    schema: { tags, summary: 'Mark all your notifications read', response: { 200: z.object({ updated: z.number().int() }) } },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) => markAllNotificationsRead(tx));
    },
  });

  app.get('/api/v1/notification_preferences', {
    schema: {
      tags,
      summary: 'Your notification preferences per type: {"lead_p1": {"in_app": true, "email": false}}',
      response: { 200: notificationPreferencesSchema },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) => getNotificationPreferences(tx, actor));
    },
  });

  app.put('/api/v1/notification_preferences', {
    schema: {
      tags,
      summary: 'Replace your notification preferences',
      body: notificationPreferencesSchema,
      response: { 200: notificationPreferencesSchema },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) => setNotificationPreferences(tx, actor, request.body));
    },
  });
}

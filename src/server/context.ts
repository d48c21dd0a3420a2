import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '../auth/actor.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventHub } from '../crm/events/event-hub.js';

/** What every route module receives: the configuration, the database and the live event hub. */
export interface AppContext {
  config: Config;
  database: Database;
  events: EventHub;
  startedAt: Date;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** The route answers without a signed-in caller. */
    public?: boolean;
  }
}

import type pg from 'pg';
import { sql } from 'kysely';
import { z } from 'zod';
import { serverVersion } from '../db/database.js';
import { migrationStatus } from '../db/migrate.js';
import type { App, AppContext } from '../server/context.js';
import { requireActor } from '../server/require-actor.js';
import { version } from '../server/version.js';
import { metricsOf } from './metrics.js';

const statusSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    uptime_seconds: z.number(),
    database: z.object({
      mode: z.enum(['embedded', 'external']),
      version: z.string().nullable(),
      connected: z.boolean(),
      migrations_applied: z.number().int(),
      migrations_pending: z.array(z.string()),
    }),
    memory: z.object({ rss_bytes: z.number(), heap_used_bytes: z.number() }),
    features: z.record(z.string(), z.boolean()),
  })
  .meta({ id: 'SystemStatus' });

export function systemRoutes(app: App, context: AppContext): void {
  const { db, pool, readPool } = context.database;
  const metrics = metricsOf(app);

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/healthz', {
    config: { public: true },
    schema: { tags: ['system'], summary: 'Liveness and readiness: 200 once the database answers', security: [] },
    handler: async (_request, reply) => {
      try {
        await sql`SELECT 1`.execute(db);
        return { status: 'ok' };
      } catch {
        return reply.status(503).send({ status: 'unavailable' });
      }
    },
  });

  app.get('/api/v1/system/status', {
    schema: { tags: ['system'], summary: 'Database, version, uptime, memory and enabled features', response: { 200: statusSchema } },
    handler: async (request) => {
      requireActor(request);
      let connected = true;
      let dbVersion: string | null = null;
      let applied = 0;
      let pending: string[] = [];
      const client = await pool.connect().catch(() => undefined);
      try {
        if (!client) throw new Error('no connection');
        dbVersion = await serverVersion(db);
        const status = await migrationStatus(client);
        applied = status.applied.length;
        pending = status.pending;
      } catch {
        connected = false;
      } finally {
        client?.release();
      }
      const memory = process.memoryUsage();
      return {
        status: connected && pending.length === 0 ? ('ok' as const) : ('degraded' as const),
        version,
        uptime_seconds: Math.round((Date.now() - context.startedAt.getTime()) / 1000),
        database: { mode: context.database.mode, version: dbVersion, connected, migrations_applied: applied, migrations_pending: pending },
        memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
        features: {
          event_stream: true,
          llm: context.config.llm !== undefined,
          twilio: Boolean(process.env.TWILIO_AUTH_TOKEN),
          smtp: context.config.email.smtpUrl !== undefined,
        },
      };
    },
  });

  app.get('/metrics', {
    config: { public: true },
    schema: { tags: ['system'], summary: 'Prometheus metrics', security: [], hide: true },
    handler: async (_request, reply) => {
      return reply.type(metrics.registry.contentType).send(
        (await metrics.registry.metrics()) +
          poolGauge('clara_db_pool_connections', 'Connections in the PostgreSQL pool', pool) +
          poolGauge('clara_db_read_pool_connections', 'Connections in the pool of one-round-trip reads', readPool),
      );
    },
  });
}

/** A pool's connections as a Prometheus gauge by state. */
function poolGauge(name: string, help: string, pool: pg.Pool): string {
  return (
    `# HELP ${name} ${help}\n# TYPE ${name} gauge\n` +
    `${name}{state="total"} ${pool.totalCount}\n${name}{state="idle"} ${pool.idleCount}\n${name}{state="waiting"} ${pool.waitingCount}\n`
  );
}

import type { Config } from '../config/config.js';
import { openDatabase, type Database } from '../db/database.js';
import { EventHub } from '../crm/events/event-hub.js';
import { buildApp } from './app.js';
import { ensureFirstAdmin } from './bootstrap.js';
import type { App } from './context.js';
import { logger } from './logger.js';

export interface RunningServer {
  app: App;
  database: Database;
  url: string;
  close(): Promise<void>;
}

/** Opens the database (embedded unless DATABASE_URL), migrates, seeds the first admin and listens. */
export async function startServer(config: Config, options: { database?: Database; log?: boolean } = {}): Promise<RunningServer> {
  const log = logger(config.logLevel);
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.poolSize,
      readPoolSize: config.readPoolSize,
      log: (line) => log.info(line),
    }));
  const admin = await ensureFirstAdmin(database.db, config);
  if (admin?.generatedPassword) {
    // Printed, not logged: it must reach the person starting Clara, and only once.
    process.stdout.write(
      `\n  First admin created: ${admin.email}\n  Password (shown once, change it after signing in): ${admin.generatedPassword}\n\n`,
    );
  }
  const events = new EventHub(database, (message, error) => log.warn({ err: error }, message));
  await events.start();
  const app = await buildApp({ config, database, events, startedAt: new Date() }, { logger: options.log === false ? undefined : log });
  const url = await app.listen({ port: config.port, host: config.host });
  return {
    app,
    database,
    url,
    async close() {
      await app.close();
      await events.stop();
      if (!options.database) await database.close();
    },
  };
}

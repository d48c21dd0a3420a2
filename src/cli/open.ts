import type { Config } from '../config/config.js';
import { EMBEDDED_DATABASE, ensureDatabase, openDatabase, type Database } from '../db/database.js';
import { EmbeddedPostgresError, runningEmbeddedUrl } from '../db/embedded.js';

/**
 * Opens the same database `clara serve` uses, for one command, and always closes it. With the
 * embedded PostgreSQL already run by a `clara serve` on the same data directory, the command
 * connects to that server rather than failing on its lock.
 */
export async function withDatabase<T>(config: Config, work: (database: Database) => Promise<T>, migrate = true): Promise<T> {
  const open = (databaseUrl: string | undefined) =>
    openDatabase({
      databaseUrl,
      dataDir: config.dataDir,
      poolSize: 4,
      migrate,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  let database: Database;
  try {
    database = await open(config.databaseUrl);
  } catch (error) {
    const running = !config.databaseUrl && error instanceof EmbeddedPostgresError && error.code === 'DATA_DIR_LOCKED'
      ? runningEmbeddedUrl(config.dataDir)
      : undefined;
    if (!running) throw error;
    database = await open(await ensureDatabase(running, EMBEDDED_DATABASE));
  }
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

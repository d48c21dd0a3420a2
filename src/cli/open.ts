import type { Config } from '../config/config.js';
import { openDatabase, type Database } from '../db/database.js';

/** Opens the same database `clara serve` uses, for one command, and always closes it. */
export async function withDatabase<T>(config: Config, work: (database: Database) => Promise<T>, migrate = true): Promise<T> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 4,
    migrate,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

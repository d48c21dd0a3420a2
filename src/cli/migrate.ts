import type { Config } from '../config/config.js';
import { migrate } from '../db/migrate.js';
import { withDatabase } from './open.js';

export async function migrateCommand(config: Config): Promise<void> {
  await withDatabase(
    config,
    async ({ pool }) => {
      const client = await pool.connect();
      try {
        const applied = await migrate(client, (line) => process.stdout.write(`${line}\n`));
        process.stdout.write(applied.length ? `Applied ${applied.length} migration(s)\n` : 'Database is up to date\n');
      } finally {
        client.release();
      }
    },
    false,
  );
}

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(migrationsDir)).filter((file) => /^\d+_.+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(migrationsDir, file), 'utf8');
      return {
        version: Number.parseInt(file, 10),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

export interface MigrationStatus {
  applied: { version: number; name: string; applied_at: Date }[];
  pending: string[];
  modified: string[];
}

// Any fixed number works; it only has to be the same for every Clara process on a database.
const MIGRATION_LOCK = 7_354_218_421;

/**
 * Applies pending migrations, each in its own transaction. An advisory lock serialises
 * several app nodes starting at once against the same database.
 */
export async function migrate(client: pg.ClientBase, log: (line: string) => void = () => {}): Promise<string[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await ensureMigrationsTable(client);
    const { pending, modified } = await migrationStatusOn(client);
    if (modified.length > 0) {
      throw new Error(`Applied migrations were changed after being applied: ${modified.join(', ')}`);
    }
    const migrations = await loadMigrations();
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => pending.includes(m.name))) {
      log(`applying migration ${migration.name}`);
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

export async function migrationStatus(client: pg.ClientBase): Promise<MigrationStatus> {
  await ensureMigrationsTable(client);
  return migrationStatusOn(client);
}

async function ensureMigrationsTable(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
}

async function migrationStatusOn(client: pg.ClientBase): Promise<MigrationStatus> {
  const migrations = await loadMigrations();
  const { rows } = await client.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
    'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
  );
  const byVersion = new Map(rows.map((row) => [row.version, row]));
  return {
    applied: rows.map(({ version, name, applied_at }) => ({ version, name, applied_at })),
    pending: migrations.filter((m) => !byVersion.has(m.version)).map((m) => m.name),
    modified: migrations
      .filter((m) => byVersion.has(m.version) && byVersion.get(m.version)?.checksum !== m.checksum)
      .map((m) => m.name),
  };
}

import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import { serverVersion } from '../db/database.js';
import { migrationStatus } from '../db/migrate.js';
import { withDatabase } from './open.js';

// The tables the CRM cannot work without (seed 001's schema check, extended to the whole model).
const REQUIRED_TABLES = [
  'users', 'clients', 'contacts', 'leads', 'opportunities', 'pipeline_stages', 'activities', 'notes',
  'follow_ups', 'meetings', 'todos', 'todo_comments', 'todo_attachments', 'calls', 'conversations',
  'notifications', 'notification_preferences', 'admin_audit', 'api_keys',
];

/** Prints one line per check and returns the exit code: 0 when everything passed. */
export async function doctorCommand(config: Config): Promise<number> {
  let failures = 0;
  const report = (ok: boolean, label: string, detail = '') => {
    if (!ok) failures += 1;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${label}${detail ? ` - ${detail}` : ''}\n`);
  };
  report(true, 'configuration', `port ${config.port}, public URL ${config.publicUrl}, ${config.databaseUrl ? 'external database' : `embedded database in ${config.dataDir}`}`);
  try {
    await withDatabase(
      config,
      async ({ db, pool }) => {
        const version = await serverVersion(db);
        report(Number.parseInt(version, 10) >= 15, 'PostgreSQL version', version);
        const client = await pool.connect();
        try {
          const status = await migrationStatus(client);
          report(status.pending.length === 0, 'migrations', status.pending.length ? `pending: ${status.pending.join(', ')} (run clara migrate)` : `${status.applied.length} applied`);
          report(status.modified.length === 0, 'migration checksums', status.modified.join(', ') || 'unchanged');
        } finally {
          client.release();
        }
        const { rows } = await sql<{ table_name: string; rls: boolean }>`
          SELECT c.relname AS table_name, c.relrowsecurity AS rls FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r'`.execute(db);
        const tables = new Map(rows.map((row) => [row.table_name, row.rls]));
        for (const table of REQUIRED_TABLES) {
          report(tables.has(table) && tables.get(table) === true, `table ${table}`, !tables.has(table) ? 'missing' : tables.get(table) ? 'row-level security on' : 'row-level security OFF');
        }
        const role = await sql<{ ok: boolean }>`SELECT pg_has_role(current_user, 'clara_app', 'MEMBER') AS ok`.execute(db);
        report(role.rows[0]?.ok === true, 'request role clara_app', 'the server can switch to it');
        const admins = await db.selectFrom('users').select(db.fn.countAll<number>().as('n')).where('role', '=', 'admin').where('is_active', '=', true).executeTakeFirst();
        report((admins?.n ?? 0) > 0, 'an active admin exists', `${admins?.n ?? 0}`);
      },
      false,
    );
  } catch (error) {
    report(false, 'database connection', (error as Error).message);
  }
  process.stdout.write(failures ? `\n${failures} check(s) failed\n` : '\nAll checks passed\n');
  return failures ? 1 : 0;
}

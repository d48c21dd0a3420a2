import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import { createUser } from '../crm/users/create-user.js';

export interface FirstAdmin {
  email: string;
  /** Only when Clara generated it: shown once, never stored in clear. */
  generatedPassword?: string;
}

/**
 * The first start creates an admin from CLARA_ADMIN_EMAIL / CLARA_ADMIN_PASSWORD, or with a
 * generated password printed once. Later starts do nothing: an admin exists.
 */
export async function ensureFirstAdmin(db: Db, config: Config): Promise<FirstAdmin | undefined> {
  return db.transaction().execute(async (tx) => {
    // Several nodes may start together on an empty database; one of them creates the admin.
    await sql`SELECT pg_advisory_xact_lock(7354218422)`.execute(tx);
    const existing = await tx
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('is_service', '=', false)
      .executeTakeFirst();
    if (existing) return undefined;
    const email = config.admin.email ?? 'admin@clara.local';
    const generatedPassword = config.admin.password ? undefined : randomBytes(12).toString('base64url');
    await createUser(tx, {
      email,
      full_name: 'Administrator',
      role: 'admin',
      password: config.admin.password ?? (generatedPassword as string),
    });
    return { email, generatedPassword };
  });
}

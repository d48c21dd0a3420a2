import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { AppError, UnauthorizedError } from '../server/errors.js';
import { decoyPasswordHash, verifyPassword } from './passwords.js';
import { newToken } from './tokens.js';
import type { User } from './schemas.js';

// Five wrong passwords for one account, or twenty from one address, in 15 minutes lock further
// attempts until the window passes: slow enough for guessing, short enough for a typo-prone human.
const WINDOW = "interval '15 minutes'";
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 20;

export class TooManyAttemptsError extends AppError {
  constructor() {
    super(429, 'too_many_attempts', 'Too many failed sign-in attempts; try again in 15 minutes');
  }
}

export interface LoginInput {
  email: string;
  password: string;
  ip?: string;
  userAgent?: string;
  sessionDays: number;
}

/** Checks the password and opens a session; returns the session token (for the cookie) and the user. */
export async function loginWithPassword(db: Db, input: LoginInput): Promise<{ token: string; user: User; expiresAt: Date }> {
  const { rows } = await sql<{ by_email: number; by_ip: number }>`
    SELECT count(*) FILTER (WHERE email = ${input.email}) AS by_email,
           count(*) FILTER (WHERE ip = ${input.ip ?? null}) AS by_ip
      FROM login_attempts
     WHERE created_at > now() - ${sql.raw(WINDOW)} AND (email = ${input.email} OR ip = ${input.ip ?? null})`.execute(db);
  const failures = rows[0] ?? { by_email: 0, by_ip: 0 };
  if (failures.by_email >= MAX_FAILURES_PER_EMAIL || failures.by_ip >= MAX_FAILURES_PER_IP) {
    throw new TooManyAttemptsError();
  }

  const account = await db
    .selectFrom('users')
    .leftJoin('user_credentials', 'user_credentials.user_id', 'users.id')
    .selectAll('users')
    .select('user_credentials.password_hash')
    .where('users.email', '=', input.email)
    .where('users.is_active', '=', true)
    .executeTakeFirst();

  const passwordHash = account?.password_hash ?? (await decoyPasswordHash());
  const valid = (await verifyPassword(passwordHash, input.password)) && account?.password_hash != null;
  if (!account || !valid) {
    await db.insertInto('login_attempts').values({ email: input.email, ip: input.ip ?? null }).execute();
    throw new UnauthorizedError('Wrong email or password');
  }

  const { token, hash } = newToken();
  const expiresAt = new Date(Date.now() + input.sessionDays * 86_400_000);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('sessions')
      .values({
        token_hash: hash,
        user_id: account.id,
        expires_at: expiresAt.toISOString(),
        ip: input.ip ?? null,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    await tx.updateTable('users').set({ last_login_at: sql`now()` }).where('id', '=', account.id).execute();
    await tx.deleteFrom('login_attempts').where('email', '=', input.email).execute();
  });
  const { password_hash: _secret, ...user } = account;
  return { token, user: user as User, expiresAt };
}

export async function logout(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

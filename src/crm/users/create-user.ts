import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { hashPassword } from '../../auth/passwords.js';
import { emailSchema, passwordSchema, roleSchema, type User } from '../../auth/schemas.js';

export const createUserInput = z
  .object({
    email: emailSchema,
    full_name: z.string().trim().min(1).max(200),
    role: roleSchema,
    password: passwordSchema,
    manager_id: z.uuid().nullable().optional(),
    phone: z.string().max(40).nullable().optional(),
    timezone: z.string().max(60).nullable().optional(),
  })
  .strict();
export type CreateUserInput = z.infer<typeof createUserInput>;

/** Creates a person who can sign in. Row-level security lets only admins do it. */
export async function createUser(tx: Db, input: CreateUserInput): Promise<User> {
  const { password, ...fields } = input;
  const passwordHash = await hashPassword(password);
  const user = await tx.insertInto('users').values(fields).returningAll().executeTakeFirstOrThrow();
  await sql`SELECT app.set_password(${user.id}::uuid, ${passwordHash})`.execute(tx);
  return user as User;
}

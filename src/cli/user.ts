import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { createUser, createUserInput } from '../crm/users/create-user.js';
import { withSystem } from '../db/with-actor.js';
import { withDatabase } from './open.js';

export async function userCreateCommand(
  config: Config,
  options: { email: string; name: string; role: string; password?: string; manager?: string },
): Promise<void> {
  const generated = options.password ? undefined : randomBytes(12).toString('base64url');
  await withDatabase(config, async ({ db }) => {
    const manager = options.manager
      ? await db.selectFrom('users').select('id').where('email', '=', options.manager.toLowerCase()).executeTakeFirst()
      : undefined;
    if (options.manager && !manager) throw new Error(`No user with email ${options.manager}`);
    const input = createUserInput.parse({
      email: options.email,
      full_name: options.name,
      role: options.role,
      password: options.password ?? generated,
      manager_id: manager?.id ?? null,
    });
    const user = await withSystem(db, (tx) => createUser(tx, input));
    process.stdout.write(`Created ${user.role} ${user.email} (${user.id})\n`);
    if (generated) process.stdout.write(`Password (shown once): ${generated}\n`);
  });
}

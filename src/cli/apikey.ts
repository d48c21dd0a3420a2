import type { Config } from '../config/config.js';
import { createApiKey, createApiKeyInput } from '../auth/api-keys.js';
import { withSystem } from '../db/with-actor.js';
import { withDatabase } from './open.js';

export async function apiKeyCreateCommand(config: Config, options: { role: string; name: string }): Promise<void> {
  const input = createApiKeyInput.parse({ name: options.name, role: options.role });
  await withDatabase(config, async ({ db }) => {
    const key = await withSystem(db, (tx) => createApiKey(tx, input, null));
    process.stderr.write(`Created ${key.role} API key "${key.name}" (${key.id}). It is shown once:\n`);
    process.stdout.write(`${key.key}\n`);
  });
}

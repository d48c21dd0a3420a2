import { z } from 'zod';
import type { Db } from '../db/database.js';
import { NotFoundError } from '../server/errors.js';
import type { Role } from './actor.js';
import { API_KEY_PREFIX } from './authenticate.js';
import { roleSchema } from './schemas.js';
import { newToken } from './tokens.js';

export const createApiKeyInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: roleSchema,
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: roleSchema,
    user_id: z.uuid(),
    key_prefix: z.string(),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof apiKeySchema>;

/**
 * An API key acts as its own service user holding the key's role, so ownership, row-level
 * security and the audit trail treat machines exactly like people. The key is shown once.
 */
export async function createApiKey(
  tx: Db,
  input: z.infer<typeof createApiKeyInput>,
  createdBy: string | null,
): Promise<ApiKey & { key: string }> {
  const { token, hash } = newToken(API_KEY_PREFIX);
  const user = await tx
    .insertInto('users')
    .values({
      email: `api-key-${hash.slice(0, 12)}@service.clara.local`,
      full_name: `API key: ${input.name}`,
      role: input.role,
      is_service: true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const key = await tx
    .insertInto('api_keys')
    .values({
      name: input.name,
      user_id: user.id,
      key_prefix: token.slice(0, API_KEY_PREFIX.length + 6),
      key_hash: hash,
      created_by: createdBy,
      expires_at: input.expires_at ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const { key_hash: _hash, ...visible } = key;
  return { ...visible, role: input.role, key: token };
}

export async function listApiKeys(tx: Db): Promise<ApiKey[]> {
  const rows = await tx
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select([
      'api_keys.id', 'api_keys.name', 'users.role', 'api_keys.user_id', 'api_keys.key_prefix', 'api_keys.created_by',
      'api_keys.created_at', 'api_keys.last_used_at', 'api_keys.expires_at', 'api_keys.revoked_at',
    ])
    .orderBy('api_keys.created_at', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, role: row.role as Role }));
}

export async function revokeApiKey(tx: Db, id: string): Promise<void> {
  const key = await tx
    .updateTable('api_keys')
    .set({ revoked_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst();
  if (!key) throw new NotFoundError('API key');
  await tx.updateTable('users').set({ is_active: false }).where('id', '=', key.user_id).execute();
}

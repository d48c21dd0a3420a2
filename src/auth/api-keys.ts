import { z } from 'zod';
import { listRecords, type ListQuery } from '../crm/records/queries.js';
import type { Resource } from '../crm/records/resource.js';
import type { PageOf } from '../crm/shared/fields.js';
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

/**
 * The key list through the generic list engine (filters, sort, keyset cursor), like every other
 * list. Its entity is the api_keys row (never key_hash); the role lives on the key's service user.
 */
export const apiKeyResource: Resource = {
  name: 'api_keys',
  label: 'API key',
  entity: apiKeySchema.omit({ role: true }),
  create: createApiKeyInput,
  update: z.object({}).strict(),
  filters: { user_id: 'uuid', created_by: 'uuid' },
  sortable: ['created_at', 'name', 'last_used_at', 'expires_at', 'revoked_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at', 'last_used_at', 'expires_at', 'revoked_at'],
  softDelete: false,
  readRoles: ['admin'],
  writeRoles: ['admin'],
};

export async function listApiKeys(tx: Db, query: ListQuery): Promise<PageOf<ApiKey>> {
  const page = await listRecords(tx, apiKeyResource, query);
  const userIds = page.data.map((row) => row.user_id as string);
  const roles = new Map(
    userIds.length
      ? (await tx.selectFrom('users').select(['id', 'role']).where('id', 'in', userIds).execute()).map((user) => [user.id, user.role as Role])
      : [],
  );
  return {
    data: page.data.map((row) => ({ ...(row as Omit<ApiKey, 'role'>), role: roles.get(row.user_id as string) as Role })),
    next_cursor: page.next_cursor,
  };
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

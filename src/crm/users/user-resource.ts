import { z } from 'zod';
import { roleSchema, userSchema } from '../../auth/schemas.js';
import type { Resource } from '../records/resource.js';
import { ROLES } from '../../auth/actor.js';
import { createUserInput } from './create-user.js';

export const updateUserInput = z
  .object({
    full_name: z.string().trim().min(1).max(200),
    role: roleSchema,
    manager_id: z.uuid().nullable(),
    is_active: z.boolean(),
    phone: z.string().max(40).nullable(),
    timezone: z.string().max(60).nullable(),
  })
  .partial()
  .strict()
  .meta({ id: 'UserUpdate' });

export const userResource: Resource = {
  name: 'users',
  label: 'User',
  entity: userSchema,
  create: createUserInput,
  update: updateUserInput,
  filters: { role: ROLES, manager_id: 'uuid', is_active: 'boolean', is_ai: 'boolean', is_service: 'boolean' },
  sortable: ['full_name', 'email', 'created_at', 'last_login_at'],
  defaultSort: 'full_name',
  dateFilters: ['created_at'],
  softDelete: false,
  writeRoles: ['admin'],
};

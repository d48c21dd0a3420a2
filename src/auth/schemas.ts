import { z } from 'zod';
import { ROLES } from './actor.js';

export const roleSchema = z.enum(ROLES);
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(320));
export const passwordSchema = z.string().min(10, 'Use at least 10 characters').max(200);

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    role: roleSchema,
    manager_id: z.uuid().nullable(),
    is_active: z.boolean(),
    is_ai: z.boolean(),
    is_service: z.boolean(),
    phone: z.string().nullable(),
    timezone: z.string().nullable(),
    last_login_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

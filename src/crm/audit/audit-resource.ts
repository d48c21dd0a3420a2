import { z } from 'zod';
import type { Resource } from '../records/resource.js';

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    actor_id: z.uuid().nullable(),
    action: z.enum(['create', 'update', 'delete']),
    table_name: z.string(),
    record_id: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

/** Read-only: entries are written by a database trigger on every change, never through the API. */
export const auditResource: Resource = {
  name: 'admin_audit',
  label: 'Audit entry',
  entity: auditEntrySchema,
  create: z.object({}).strict(),
  update: z.object({}).strict(),
  filters: { actor_id: 'uuid', table_name: 'text', record_id: 'text', action: ['create', 'update', 'delete'] },
  sortable: ['created_at', 'id'],
  defaultSort: '-id',
  dateFilters: ['created_at'],
  softDelete: false,
  readRoles: ['admin'],
  writeRoles: [],
};

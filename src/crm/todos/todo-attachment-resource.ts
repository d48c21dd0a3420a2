import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { timestamp, uuid } from '../shared/fields.js';

/** An attachment's metadata; its bytes are only served by GET /todo_attachments/{id}/content. */
export const todoAttachmentSchema = z
  .object({
    id: uuid,
    todo_id: uuid,
    file_name: z.string(),
    content_type: z.string(),
    size_bytes: z.number().int(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'TodoAttachment' });
export type TodoAttachment = z.infer<typeof todoAttachmentSchema>;

/** Uploads carry the file as the raw request body (see attach-file-to-todo.ts), so there is no JSON create schema. */
export const todoAttachmentResource: Resource = {
  name: 'todo_attachments',
  label: 'Todo attachment',
  entity: todoAttachmentSchema,
  create: z.object({}).strict(),
  update: z.object({}).strict(),
  filters: { todo_id: 'uuid', created_by: 'uuid', content_type: 'text' },
  sortable: ['created_at', 'file_name', 'size_bytes'],
  defaultSort: 'created_at',
  dateFilters: ['created_at'],
  softDelete: true,
  stampsCreator: true,
};

import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { requiredText, timestamp, uuid } from '../shared/fields.js';

export const todoCommentSchema = z
  .object({
    id: uuid,
    todo_id: uuid,
    body: z.string(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'TodoComment' });
export type TodoComment = z.infer<typeof todoCommentSchema>;

export const todoCommentInput = z.object({ body: requiredText(20_000) }).strict().meta({ id: 'TodoCommentBody' });

/** Comments on a todo: created and listed under /todos/{id}/comments, changed at /todo_comments/{id}. */
export const todoCommentResource: Resource = {
  name: 'todo_comments',
  label: 'Todo comment',
  entity: todoCommentSchema,
  create: todoCommentInput,
  update: todoCommentInput,
  filters: { todo_id: 'uuid', created_by: 'uuid' },
  sortable: ['created_at', 'updated_at'],
  defaultSort: 'created_at',
  dateFilters: ['created_at'],
  softDelete: true,
  stampsCreator: true,
};

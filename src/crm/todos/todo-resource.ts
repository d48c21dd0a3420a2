import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { instant, requiredText, stampCompletion, text, timestamp, uuid } from '../shared/fields.js';

export const TODO_STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const;
export const TODO_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

export const todoSchema = z
  .object({
    id: uuid,
    title: z.string(),
    description: z.string().nullable(),
    status: z.enum(TODO_STATUSES),
    priority: z.enum(TODO_PRIORITIES),
    due_date: timestamp.nullable(),
    assigned_to: uuid.nullable(),
    lead_id: uuid.nullable(),
    client_id: uuid.nullable(),
    completed_at: timestamp.nullable(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Todo' });
export type Todo = z.infer<typeof todoSchema>;

const writable = {
  title: requiredText(300),
  description: text(50_000).nullable(),
  status: z.enum(TODO_STATUSES),
  priority: z.enum(TODO_PRIORITIES),
  due_date: instant.nullable(),
  assigned_to: uuid.nullable().describe('Defaults to the caller'),
  lead_id: uuid.nullable(),
  client_id: uuid.nullable(),
  completed_at: instant.nullable().describe('Set on its own when the status becomes done'),
};

export const createTodoSchema = z
  .object(writable)
  .partial()
  .extend({ title: writable.title })
  .strict()
  .meta({ id: 'TodoCreate' });

export const updateTodoSchema = z.object(writable).partial().strict().meta({ id: 'TodoUpdate' });

/** A task for someone on the team, optionally about a lead or client. */
export const todoResource: Resource = {
  name: 'todos',
  label: 'Todo',
  entity: todoSchema,
  create: createTodoSchema,
  update: updateTodoSchema,
  filters: {
    assigned_to: 'uuid',
    lead_id: 'uuid',
    client_id: 'uuid',
    created_by: 'uuid',
    status: TODO_STATUSES,
    priority: TODO_PRIORITIES,
  },
  sortable: ['due_date', 'created_at', 'updated_at', 'completed_at', 'title'],
  defaultSort: 'due_date',
  dateFilters: ['due_date', 'created_at', 'completed_at'],
  softDelete: true,
  ownerColumn: 'assigned_to',
  stampsCreator: true,
  prepare: (values, { existing }) => stampCompletion(values, existing, 'done'),
};

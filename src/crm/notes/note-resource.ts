import { z } from 'zod';
import { BadRequestError } from '../../server/errors.js';
import type { Resource } from '../records/resource.js';
import { effective, requiredText, timestamp, uuid } from '../shared/fields.js';
import { assertVisibleReferences, REFERENCES } from '../shared/visible-references.js';

export const noteSchema = z
  .object({
    id: uuid,
    body: z.string(),
    is_pinned: z.boolean(),
    lead_id: uuid.nullable(),
    client_id: uuid.nullable(),
    contact_id: uuid.nullable(),
    opportunity_id: uuid.nullable(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Note' });

const PARENTS = ['lead_id', 'client_id', 'contact_id', 'opportunity_id'] as const;

const writable = {
  body: requiredText(100_000),
  is_pinned: z.boolean(),
  lead_id: uuid.nullable(),
  client_id: uuid.nullable(),
  contact_id: uuid.nullable(),
  opportunity_id: uuid.nullable(),
};

export const createNoteSchema = z
  .object(writable)
  .partial()
  .extend({ body: writable.body })
  .strict()
  .refine((note) => PARENTS.some((column) => typeof note[column] === 'string'), {
    message: 'A note belongs to a lead, client, contact or opportunity: give at least one of their ids',
  })
  .meta({ id: 'NoteCreate' });

export const updateNoteSchema = z.object(writable).partial().strict().meta({ id: 'NoteUpdate' });

const parents = {
  lead_id: REFERENCES.lead,
  client_id: REFERENCES.client,
  contact_id: REFERENCES.contact,
  opportunity_id: REFERENCES.opportunity,
};

/** Free text attached to a lead, client, contact or opportunity, newest first. */
export const noteResource: Resource = {
  name: 'notes',
  label: 'Note',
  entity: noteSchema,
  create: createNoteSchema,
  update: updateNoteSchema,
  filters: { lead_id: 'uuid', client_id: 'uuid', contact_id: 'uuid', opportunity_id: 'uuid', created_by: 'uuid', is_pinned: 'boolean' },
  sortable: ['created_at', 'updated_at', 'is_pinned'],
  defaultSort: '-created_at',
  dateFilters: ['created_at', 'updated_at'],
  softDelete: true,
  stampsCreator: true,
  prepare: async (values, { tx, existing }) => {
    if (existing && !PARENTS.some((column) => typeof effective(values, existing, column) === 'string')) {
      throw new BadRequestError('A note must stay attached to a lead, client, contact or opportunity');
    }
    await assertVisibleReferences(tx, values, parents);
    return values;
  },
};

import { z } from 'zod';
import type { Resource, Row } from '../records/resource.js';
import { normalizeEmail, normalizePhone } from '../shared/contact-points.js';
import { requiredText, text, timestamp, uuid } from '../shared/fields.js';

export const contactSchema = z
  .object({
    id: uuid,
    client_id: uuid.nullable(),
    full_name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable().describe('E.164'),
    job_title: z.string().nullable(),
    is_primary: z.boolean(),
    notes: z.string().nullable(),
    agent_id: uuid.nullable(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Contact' });

const writable = {
  client_id: uuid.nullable(),
  full_name: requiredText(200),
  email: z.email().max(320).nullable(),
  phone: text(40).nullable().describe('Any format; stored as E.164 (CLARA_DEFAULT_COUNTRY for national numbers)'),
  job_title: text(200).nullable(),
  is_primary: z.boolean(),
  notes: text(50_000).nullable(),
  agent_id: uuid.nullable().describe('Owner; defaults to the caller'),
};

export const createContactSchema = z
  .object(writable)
  .partial()
  .extend({ full_name: writable.full_name })
  .strict()
  .meta({ id: 'ContactCreate' });

export const updateContactSchema = z.object(writable).partial().strict().meta({ id: 'ContactUpdate' });

/** People at a client. */
export function contactResource(settings: { defaultCountry: string }): Resource {
  return {
    name: 'contacts',
    label: 'Contact',
    entity: contactSchema,
    create: createContactSchema,
    update: updateContactSchema,
    filters: { client_id: 'uuid', agent_id: 'uuid', created_by: 'uuid', is_primary: 'boolean', email: 'text', phone: 'text' },
    sortable: ['created_at', 'updated_at', 'full_name'],
    defaultSort: '-created_at',
    dateFilters: ['created_at', 'updated_at'],
    softDelete: true,
    ownerColumn: 'agent_id',
    stampsCreator: true,
    prepare: (values) => {
      const prepared: Row = { ...values };
      if ('email' in values) prepared.email = normalizeEmail(values.email as string | null);
      if ('phone' in values) prepared.phone = normalizePhone(values.phone as string | null, settings.defaultCountry);
      return prepared;
    },
  };
}

import { z } from 'zod';
import type { Resource, Row } from '../records/resource.js';
import { normalizeEmail, normalizePhone } from '../shared/contact-points.js';
import { requiredText, text, timestamp, uuid } from '../shared/fields.js';

export const clientSchema = z
  .object({
    id: uuid,
    client_name: z.string(),
    company_size: z.number().int().nullable(),
    industry: z.string().nullable(),
    website: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable().describe('E.164'),
    address: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    notes: z.string().nullable(),
    agent_id: uuid.nullable(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Client' });

const writable = {
  client_name: requiredText(300),
  company_size: z.number().int().nonnegative().max(100_000_000).nullable(),
  industry: text(100).nullable(),
  website: text(2000).nullable(),
  email: z.email().max(320).nullable(),
  phone: text(40).nullable().describe('Any format; stored as E.164 (CLARA_DEFAULT_COUNTRY for national numbers)'),
  address: text(500).nullable(),
  city: text(100).nullable(),
  country: text(100).nullable(),
  notes: text(50_000).nullable(),
  agent_id: uuid.nullable().describe('Owner; defaults to the caller'),
};

export const createClientSchema = z
  .object(writable)
  .partial()
  .extend({ client_name: writable.client_name })
  .strict()
  .meta({ id: 'ClientCreate' });

export const updateClientSchema = z.object(writable).partial().strict().meta({ id: 'ClientUpdate' });

/** Companies the team sells to; a lead converts into a client with its contact. */
export function clientResource(settings: { defaultCountry: string }): Resource {
  return {
    name: 'clients',
    label: 'Client',
    entity: clientSchema,
    create: createClientSchema,
    update: updateClientSchema,
    filters: { agent_id: 'uuid', created_by: 'uuid', industry: 'text', city: 'text', country: 'text', email: 'text', phone: 'text' },
    sortable: ['created_at', 'updated_at', 'client_name', 'company_size'],
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

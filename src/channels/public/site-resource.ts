import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Resource } from '../../crm/records/resource.js';
import { requiredText, timestamp, uuid } from '../../crm/shared/fields.js';

/** "https://www.example.com": scheme, host and port, exactly as browsers send it in Origin. */
const origin = z
  .string()
  .trim()
  .max(300)
  .regex(/^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/i, 'An origin such as https://www.example.com (no path)')
  .transform((value) => value.toLowerCase());

const writable = {
  name: requiredText(200),
  allowed_origins: z.array(origin).max(20),
  is_active: z.boolean(),
};

/** A publishable key: names the site to the public endpoints, like a Stripe publishable key. */
export function newPublishableKey(): string {
  return `pk_${randomBytes(18).toString('base64url')}`;
}

/** The websites that embed Clara's forms, booking, ROI calculator and chat widget (admins manage them). */
export const siteResource: Resource = {
  name: 'sites',
  label: 'Site',
  entity: z
    .object({
      id: uuid,
      name: z.string(),
      publishable_key: z.string(),
      allowed_origins: z.array(z.string()),
      is_active: z.boolean(),
      created_by: uuid.nullable(),
      created_at: timestamp,
      updated_at: timestamp,
    })
    .meta({ id: 'Site' }),
  create: z.object(writable).partial({ allowed_origins: true, is_active: true }).strict().meta({ id: 'SiteCreate' }),
  update: z.object(writable).partial().strict().meta({ id: 'SiteUpdate' }),
  filters: { is_active: 'boolean' },
  sortable: ['created_at', 'name'],
  defaultSort: '-created_at',
  dateFilters: ['created_at'],
  softDelete: false,
  stampsCreator: true,
  readRoles: ['admin'],
  writeRoles: ['admin'],
  prepare: (values, { existing }) => (existing ? values : { ...values, publishable_key: newPublishableKey() }),
};

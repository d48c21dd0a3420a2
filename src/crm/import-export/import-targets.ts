import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { leadResource } from '../leads/lead-resource.js';
import type { Resource, Row } from '../records/resource.js';
import { normalizeEmail, toE164 } from '../shared/contact-points.js';
import { fieldKinds, type FieldKind } from './csv-cells.js';

export const IMPORT_ENTITIES = ['leads', 'clients', 'contacts'] as const;
export type ImportEntity = (typeof IMPORT_ENTITIES)[number];

/** One way to recognise a row already in the CRM; matchers are tried in order. */
export interface Matcher {
  /** The field of the row's values (or match-only column) it reads. */
  field: string;
  /** The comparable key of an imported value, or undefined when it cannot match anything. */
  key: (value: unknown) => string | undefined;
  /** The same key computed from a stored record. */
  keyOf: (record: Row) => string | undefined;
  /** WHERE clause selecting stored records whose key is one of these. */
  where: (keys: string[]) => RawBuilder<unknown>;
}

/** A reference column people fill with a name rather than an id. */
export type Reference = 'user' | 'pipeline_stage' | 'client';

export interface ImportTarget {
  entity: ImportEntity;
  resource: Resource;
  /** Writable fields (the create and update schemas') and how to read their cells. */
  fields: Record<string, FieldKind>;
  aliases: Record<string, string>;
  nameField?: string;
  matchers: Matcher[];
  references: Record<string, Reference>;
}

const UUID = z.uuid();
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

const byId: Matcher = {
  field: 'id',
  key: (value) => (UUID.safeParse(text(value)?.trim()).success ? (value as string).trim().toLowerCase() : undefined),
  keyOf: (record) => String(record.id),
  where: (keys) => sql`id = ANY (${keys}::uuid[])`,
};

function byEmail(expression: RawBuilder<unknown>): Matcher {
  return {
    field: 'email',
    key: (value) => normalizeEmail(text(value)) ?? undefined,
    keyOf: (record) => normalizeEmail(text(record.email)) ?? undefined,
    where: (keys) => sql`${expression} = ANY (${keys}::text[])`,
  };
}

function byPhone(defaultCountry: string): Matcher {
  return {
    field: 'phone',
    key: (value) => {
      const raw = text(value);
      return raw ? toE164(raw, defaultCountry) : undefined;
    },
    keyOf: (record) => text(record.phone) ?? undefined,
    where: (keys) => sql`phone = ANY (${keys}::text[])`,
  };
}

const nameKey = (value: unknown) => text(value)?.trim().toLowerCase().replace(/\s+/g, ' ') || undefined;

const byClientName: Matcher = {
  field: 'client_name',
  key: nameKey,
  keyOf: (record) => nameKey(record.client_name),
  where: (keys) => sql`lower(client_name) = ANY (${keys}::text[])`,
};

const OWNER_ALIASES = ['owner', 'owner_email', 'agent', 'agent_email', 'assigned_to', 'assignee', 'sales_rep', 'rep'];
const alias = (field: string, ...names: string[]) => Object.fromEntries(names.map((name) => [name, field]));

const LEAD_ALIASES = {
  ...alias('contact_person', 'name', 'full_name', 'contact', 'contact_name', 'person', 'lead_name'),
  ...alias('company_name', 'company', 'organization', 'organisation', 'account', 'account_name', 'business', 'business_name'),
  ...alias('email', 'e_mail', 'email_address', 'e_mail_address', 'mail', 'work_email'),
  ...alias('phone', 'phone_number', 'telephone', 'tel', 'mobile', 'mobile_phone', 'mobile_number', 'cell', 'cell_phone', 'work_phone'),
  ...alias('lead_source', 'source', 'lead_origin', 'channel'),
  ...alias('deal_value', 'value', 'amount', 'deal_amount', 'deal_size', 'opportunity_value', 'revenue'),
  ...alias('tags', 'tag', 'labels', 'label'),
  ...alias('city', 'town'),
  ...alias('industry', 'sector', 'vertical'),
  ...alias('notes', 'note', 'comment', 'comments', 'description'),
  ...alias('status_bucket', 'bucket', 'priority'),
  ...alias('qualification_status', 'qualification', 'lead_status'),
  ...alias('expected_close_date', 'close_date', 'expected_close'),
  ...alias('campaign_id', 'campaign'),
  ...alias('pipeline_stage_id', 'stage', 'pipeline_stage', 'deal_stage'),
  ...alias('client_id', 'client', 'client_name'),
  ...alias('do_not_contact', 'do_not_call', 'dnc', 'opted_out', 'unsubscribed'),
  ...alias('budget_currency', 'currency'),
  ...alias('agent_id', ...OWNER_ALIASES),
};

const CLIENT_ALIASES = {
  ...alias('client_name', 'name', 'client', 'company', 'company_name', 'organization', 'organisation', 'account', 'account_name', 'business'),
  ...alias('company_size', 'size', 'employees', 'number_of_employees', 'headcount', 'employee_count'),
  ...alias('website', 'url', 'web', 'site', 'homepage', 'domain'),
  ...alias('email', 'e_mail', 'email_address', 'mail'),
  ...alias('phone', 'phone_number', 'telephone', 'tel', 'main_phone'),
  ...alias('address', 'street', 'street_address', 'address_line_1'),
  ...alias('city', 'town'),
  ...alias('industry', 'sector', 'vertical'),
  ...alias('notes', 'note', 'comment', 'comments', 'description'),
  ...alias('agent_id', ...OWNER_ALIASES),
};

const CONTACT_ALIASES = {
  ...alias('full_name', 'name', 'contact', 'contact_name', 'contact_person', 'person'),
  ...alias('email', 'e_mail', 'email_address', 'e_mail_address', 'mail', 'work_email'),
  ...alias('phone', 'phone_number', 'telephone', 'tel', 'mobile', 'mobile_phone', 'mobile_number', 'cell', 'cell_phone', 'work_phone'),
  ...alias('job_title', 'title', 'position', 'role'),
  ...alias('client_id', 'client', 'client_name', 'company', 'company_name', 'account', 'account_name', 'organization', 'organisation'),
  ...alias('is_primary', 'primary', 'primary_contact'),
  ...alias('notes', 'note', 'comment', 'comments', 'description'),
  ...alias('agent_id', ...OWNER_ALIASES),
};

function target(
  entity: ImportEntity,
  resource: Resource,
  options: { aliases: Record<string, string>; nameField?: string; matchers: Matcher[] },
): ImportTarget {
  // A field only one of the two schemas accepts still has a column to come from.
  const fields = { ...fieldKinds(resource.create), ...fieldKinds(resource.update) };
  const references: Record<string, Reference> = {};
  if ('agent_id' in fields) references.agent_id = 'user';
  if ('pipeline_stage_id' in fields) references.pipeline_stage_id = 'pipeline_stage';
  if ('client_id' in fields) references.client_id = 'client';
  return {
    entity,
    resource,
    fields,
    // An alias to a field this resource does not have would only confuse the column report.
    aliases: Object.fromEntries(Object.entries(options.aliases).filter(([, field]) => field in fields)),
    ...(options.nameField && options.nameField in fields ? { nameField: options.nameField } : {}),
    matchers: options.matchers,
    references,
  };
}

export interface TargetResources {
  leads: Resource;
  clients?: Resource;
  contacts?: Resource;
}

/**
 * What can be imported and exported, and how a row finds its existing record: leads and contacts
 * by id (an export's own column), then normalised email, then E.164 phone; clients by id, then
 * name (case-insensitive).
 */
export function importTargets(resources: TargetResources, settings: { defaultCountry: string }): Map<ImportEntity, ImportTarget> {
  const targets = new Map<ImportEntity, ImportTarget>();
  const phone = byPhone(settings.defaultCountry);
  targets.set(
    'leads',
    // leads.email is stored lower-case (a CHECK), so the plain index on email serves the lookup.
    target('leads', resources.leads, { aliases: LEAD_ALIASES, nameField: 'contact_person', matchers: [byId, byEmail(sql`email`), phone] }),
  );
  if (resources.clients) {
    targets.set('clients', target('clients', resources.clients, { aliases: CLIENT_ALIASES, matchers: [byId, byClientName] }));
  }
  if (resources.contacts) {
    targets.set(
      'contacts',
      target('contacts', resources.contacts, {
        aliases: CONTACT_ALIASES,
        nameField: 'full_name',
        matchers: [byId, byEmail(sql`lower(email)`), phone],
      }),
    );
  }
  return targets;
}

/** The resources of this build, configured like their API routes. */
export function defaultTargetResources(settings: { defaultCountry: string }): TargetResources {
  return { leads: leadResource(settings) };
}

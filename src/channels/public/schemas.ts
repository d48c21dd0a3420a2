import { z } from 'zod';
import { text } from '../../crm/shared/fields.js';

/**
 * What a landing page may send with any form: who, the campaign that brought them, and the
 * honeypot. `website_url` is a field humans never see (hidden by CSS): bots fill every field.
 */
export const visitor = {
  name: text(200).optional(),
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('A valid email address')).optional(),
  phone: z.string().trim().max(40).optional(),
  company: text(200).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO country code such as US').optional().describe('For a phone number without a country code'),
  utm_source: text(200).optional(),
  utm_medium: text(200).optional(),
  utm_campaign: text(200).optional(),
  utm_term: text(200).optional(),
  utm_content: text(200).optional(),
  campaign_id: text(200).optional(),
  referrer_url: text(2000).optional(),
  website_url: z.string().max(2000).optional().describe('Honeypot: leave empty (hidden from people)'),
};

export const webLeadSchema = z
  .object({ ...visitor, message: text(5000).optional() })
  .strict()
  .refine((body) => body.email || body.phone, { message: 'Give an email or a phone number', path: ['email'] });

export const bookingSchema = z
  .object({
    ...visitor,
    name: text(200).min(1, 'Your name'),
    email: visitor.email.unwrap(),
    start: z.iso.datetime({ offset: true }).describe('A start time from /public/v1/booking-slots'),
    notes: text(2000).optional(),
  })
  .strict();

const scalar = z.union([z.number().finite(), z.string().max(500), z.boolean(), z.null()]);
export const roiSchema = z
  .object({
    ...visitor,
    inputs: z.record(z.string().max(100), scalar).refine((value) => Object.keys(value).length <= 50, 'At most 50 inputs'),
    results: z.record(z.string().max(100), scalar).refine((value) => Object.keys(value).length <= 50, 'At most 50 results'),
    time_on_calculator: z.number().int().min(0).max(86_400).optional().describe('Seconds spent on the calculator'),
    adjustments_count: z.number().int().min(0).max(100_000).optional(),
    send_report: z.boolean().optional().describe('Email the ROI report to `email`'),
  })
  .strict()
  .refine((body) => !body.send_report || body.email, { message: 'An email is needed to send the report', path: ['email'] });

export const slotsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
    days: z.coerce.number().int().min(1).max(14).default(7),
  })
  .strict();

export const accepted = z.object({ received: z.literal(true) });

/** The Origin and key of a public request: the key may come as a header or a query parameter. */
export function keyOf(request: { headers: Record<string, string | string[] | undefined>; query: unknown }): string | undefined {
  const header = request.headers['x-clara-key'];
  if (typeof header === 'string' && header) return header;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.key === 'string' ? query.key : undefined;
}

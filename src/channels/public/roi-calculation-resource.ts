import { z } from 'zod';
import type { Resource } from '../../crm/records/resource.js';
import { jsonObject, timestamp, uuid } from '../../crm/shared/fields.js';

/**
 * The ROI calculator's results (seed 003 sections 1.4 and 1.5), read-only: only the landing page
 * writes them (POST /public/v1/roi-calculations). Row-level security (migration 012): one with a
 * lead follows the lead; an anonymous one is marketing data every user may read.
 */
export const roiCalculationResource: Resource = {
  name: 'roi_calculations',
  label: 'ROI calculation',
  entity: z
    .object({
      id: uuid,
      site_id: uuid.nullable().describe('The landing-page site whose calculator it came from'),
      lead_id: uuid.nullable().describe('The lead it brought (null when the visitor left no email)'),
      email: z.string().nullable(),
      inputs: jsonObject.describe("The visitor's figures, as the calculator sent them"),
      results: jsonObject.describe('What the calculator worked out from them'),
      time_on_calculator: z.number().int().nullable().describe('Seconds spent on the calculator'),
      adjustments_count: z.number().int().nullable().describe('How many times the visitor changed an input'),
      report_sent_at: timestamp.nullable(),
      created_at: timestamp,
      updated_at: timestamp,
    })
    .meta({ id: 'RoiCalculation' }),
  create: z.object({}).strict(),
  update: z.object({}).strict(),
  filters: { lead_id: 'uuid', site_id: 'uuid' },
  sortable: ['created_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at'],
  softDelete: false,
};

import { z } from 'zod';
import { withActor } from '../db/with-actor.js';
import type { App, AppContext } from '../server/context.js';
import { requireActor, requireRole } from '../server/require-actor.js';
import { registerRecordRoutes } from '../crm/records/routes.js';
import type { Resource } from '../crm/records/resource.js';
import { DEFAULT_STAGE_MAPPING } from './scoring/qualify.js';

const faqEntry = z.object({
  question: z.string().trim().min(1).max(300),
  answer: z.string().trim().min(1).max(2000),
  keywords: z.array(z.string().trim().min(1).max(60)).min(1).max(30),
});

const agentSettingsSchema = z
  .object({
    agent_name: z.string(),
    company_name: z.string(),
    greeting: z.string().nullable(),
    faq: z.array(faqEntry),
    stage_mapping: z.record(z.string(), z.string()).describe('The stages an admin chose; a status not named follows default_stage_mapping'),
    default_stage_mapping: z.record(z.string(), z.string()).describe('The stage each qualification status goes to when stage_mapping does not name it'),
    demo_minutes: z.number().int(),
    updated_at: z.string(),
  })
  .meta({ id: 'AgentSettings' });

const QUALIFICATION_STATUSES = ['unqualified', 'marketing_qualified', 'sales_qualified', 'opportunity'] as const;

const agentSettingsUpdate = z
  .object({
    agent_name: z.string().trim().min(1).max(60),
    company_name: z.string().trim().min(1).max(120),
    greeting: z.string().trim().max(500).nullable(),
    faq: z.array(faqEntry).max(100),
    // Replaces the whole mapping; partial, so that a status left out keeps following the default
    // (z.record over an enum would require every status).
    stage_mapping: z
      .partialRecord(z.enum(QUALIFICATION_STATUSES), z.string().trim().min(1).max(100))
      .describe('Stage name per qualification status; a status left out follows the default'),
    demo_minutes: z.number().int().min(10).max(240),
  })
  .partial()
  .strict();

const condition = z.union([
  z.object({ field: z.string().min(1).max(60), op: z.enum(['eq', 'neq']), value: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
  z.object({ field: z.string().min(1).max(60), op: z.literal('in'), value: z.array(z.union([z.string(), z.number()])).min(1) }).strict(),
  z.object({ field: z.string().min(1).max(60), op: z.enum(['gte', 'lte', 'gt', 'lt']), value: z.number() }).strict(),
  z.object({ field: z.string().min(1).max(60), op: z.enum(['present', 'absent']) }).strict(),
  z.object({ field: z.string().min(1).max(60), op: z.literal('between'), value: z.tuple([z.number(), z.number()]).describe('[min, max), max excluded') }).strict(),
]);
const CATEGORIES = ['budget', 'authority', 'need', 'timeline', 'fit', 'engagement'] as const;
const ruleFields = {
  name: z.string().trim().min(1).max(120),
  category: z.enum(CATEGORIES),
  condition,
  points: z.number().int().min(-100).max(100),
  is_active: z.boolean(),
  description: z.string().max(500).nullable(),
};

/** Scoring rules: the score and bucket come only from these, applied to extracted facts. */
export const scoringRuleResource: Resource = {
  name: 'lead_scoring_criteria',
  label: 'Scoring rule',
  idSchema: z.string().regex(/^[a-z0-9_]{1,60}$/, 'lowercase letters, digits and _'),
  entity: z
    .object({ id: z.string(), ...ruleFields, created_at: z.string(), updated_at: z.string() })
    .meta({ id: 'ScoringRule' }),
  create: z
    .object({ id: z.string().regex(/^[a-z0-9_]{1,60}$/), ...ruleFields })
    .partial({ is_active: true, description: true })
    .strict(),
  update: z.object(ruleFields).partial().strict(),
  filters: { category: CATEGORIES, is_active: 'boolean' },
  sortable: ['id', 'category', 'points', 'created_at'],
  defaultSort: 'category',
  dateFilters: [],
  softDelete: false,
  writeRoles: ['admin'],
};

/** Clara's persona and knowledge (name, company, greeting, FAQ) and its scoring rules: admins edit them. */
export function agentSettingsRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['agent'];
  registerRecordRoutes(app, context, scoringRuleResource);
  const answer = (row: object) => agentSettingsSchema.parse({ ...row, default_stage_mapping: DEFAULT_STAGE_MAPPING });

  app.get('/api/v1/agent/settings', {
    schema: { tags, summary: "Clara's name, company, greeting and FAQ", response: { 200: agentSettingsSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      return answer(await withActor(db, actor, (tx) => tx.selectFrom('agent_settings').selectAll().executeTakeFirstOrThrow()));
    },
  });

  app.patch('/api/v1/agent/settings', {
    schema: { tags, summary: "Change Clara's settings (admin)", body: agentSettingsUpdate, response: { 200: agentSettingsSchema } },
    handler: async (request) => {
      const actor = requireRole(request, 'admin');
      const body = request.body;
      if (Object.keys(body).length === 0) {
        return answer(await withActor(db, actor, (tx) => tx.selectFrom('agent_settings').selectAll().executeTakeFirstOrThrow()));
      }
      const values = {
        ...body,
        ...(body.faq ? { faq: JSON.stringify(body.faq) } : {}),
        ...(body.stage_mapping ? { stage_mapping: JSON.stringify(body.stage_mapping) } : {}),
      };
      return answer(await withActor(db, actor, (tx) => tx.updateTable('agent_settings').set(values).returningAll().executeTakeFirstOrThrow()));
    },
  });
}

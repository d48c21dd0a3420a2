import { z } from 'zod';
import { IMPORT_ENTITIES } from './import-targets.js';

export const IMPORT_STATUSES = ['running', 'completed', 'failed'] as const;

export const DEDUPE_MODES = ['update', 'skip', 'create'] as const;
export type DedupeMode = (typeof DEDUPE_MODES)[number];

export const rowErrorSchema = z
  .object({
    row: z.number().int().describe('Spreadsheet row: the header is row 1, the first record row 2'),
    field: z.string().optional(),
    message: z.string(),
  })
  .meta({ id: 'ImportRowError' });
export type RowError = z.infer<typeof rowErrorSchema>;

export const importRecordSchema = z
  .object({
    id: z.uuid(),
    entity: z.enum(IMPORT_ENTITIES),
    status: z.enum(IMPORT_STATUSES),
    file_name: z.string().nullable(),
    total_rows: z.number().int(),
    processed_rows: z.number().int(),
    created_count: z.number().int(),
    updated_count: z.number().int(),
    skipped_count: z.number().int().describe('Rows that matched a record and left it as it was, and blank rows'),
    failed_count: z.number().int(),
    errors: z.array(rowErrorSchema).describe('The first 1000 row errors'),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'Import' });
export type ImportRecord = z.infer<typeof importRecordSchema>;

export const importSummarySchema = importRecordSchema
  .extend({
    columns: z.array(z.object({ header: z.string(), field: z.string().nullable() })).describe('How each column was read'),
    ignored_columns: z.array(z.string()),
  })
  .meta({ id: 'ImportSummary' });
export type ImportSummary = z.infer<typeof importSummarySchema>;

const mappingSchema = z.record(z.string().max(200), z.string().max(100)).describe('CSV header -> field; "" ignores the column');

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export const importJsonBody = z
  .object({
    entity: z.enum(IMPORT_ENTITIES),
    csv: z.string().min(1).max(MAX_IMPORT_BYTES),
    mapping: mappingSchema.optional(),
    dedupe: z.enum(DEDUPE_MODES).optional(),
    file_name: z.string().max(255).optional(),
  })
  .strict();

/** With a text/csv body the options travel in the query string; mapping as JSON. */
export const importQuery = z
  .object({
    entity: z.enum(IMPORT_ENTITIES).optional(),
    dedupe: z.enum(DEDUPE_MODES).optional(),
    mapping: z
      .string()
      .max(20_000)
      .optional()
      .describe('JSON object: CSV header -> field')
      .transform((value, context) => {
        if (value === undefined) return undefined;
        try {
          const parsed = mappingSchema.safeParse(JSON.parse(value));
          if (parsed.success) return parsed.data;
        } catch {
          // reported below
        }
        context.addIssue({ code: 'custom', message: 'mapping must be a JSON object of CSV header -> field' });
        return z.NEVER;
      }),
    file_name: z.string().max(255).optional(),
  })
  .strict();

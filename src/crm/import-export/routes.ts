import { PassThrough } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App, AppContext } from '../../server/context.js';
import { BadRequestError } from '../../server/errors.js';
import { requireActor, requireRole } from '../../server/require-actor.js';
import { registerRecordRoutes } from '../records/routes.js';
import type { Resource } from '../records/resource.js';
import { exportCsv, exportQuerySchema, toExportQuery } from './export-csv.js';
import { importCsv } from './import-csv.js';
import {
  importJsonBody,
  importQuery,
  importRecordSchema,
  importSummarySchema,
  IMPORT_STATUSES,
  MAX_IMPORT_BYTES,
} from './import-schemas.js';
import { defaultTargetResources, IMPORT_ENTITIES, importTargets, type ImportTarget, type TargetResources } from './import-targets.js';

/** Past imports: read-only through the generic engine; row-level security shows one's own (admins all). */
const importResource: Resource = {
  name: 'imports',
  label: 'Import',
  entity: importRecordSchema,
  create: z.object({}).strict(),
  update: z.object({}).strict(),
  filters: { entity: IMPORT_ENTITIES, status: IMPORT_STATUSES, created_by: 'uuid' },
  sortable: ['created_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at'],
  softDelete: false,
  writeRoles: [],
};

export function importExportRoutes(app: App, context: AppContext, resources?: TargetResources): void {
  const { db } = context.database;
  const settings = { defaultCountry: context.config.defaultCountry };
  const targets = importTargets(resources ?? defaultTargetResources(settings), settings);

  // A scope of its own: the CSV body parser and the viewer refusal apply to these routes only.
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => {
      done(null, body);
    });
    // onRequest: a viewer is refused before a 20 MB body is even read.
    scope.addHook('onRequest', async (request) => {
      requireRole(request, 'admin', 'manager', 'agent');
    });

    scope.post('/api/v1/imports', {
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        tags: ['imports'],
        summary: 'Import leads, clients or contacts from CSV',
        description:
          'Send the file as `text/csv` with the options in the query string, or as JSON `{entity, csv, mapping?, dedupe?, file_name?}`. ' +
          'Headers are matched to fields by name and common aliases ("Full Name", "E-mail", "Company", "Deal Value"...); ' +
          '`mapping` overrides that. Rows matching an existing record (by id, then email, then phone; clients by name) ' +
          'are updated, skipped or created again as `dedupe` says. Each bad row is reported with its row number and written not at all. ' +
          'Runs within the request; GET /api/v1/imports/{id} shows its progress meanwhile. Up to 20 MB.',
        consumes: ['text/csv', 'application/json'],
        querystring: importQuery,
        body: z.union([z.string().describe('The CSV file (Content-Type: text/csv)'), importJsonBody]),
        response: { 201: importSummarySchema },
      },
      handler: async (request, reply) => {
        const actor = requireActor(request);
        const { body, query } = request;
        const input =
          typeof body === 'string'
            ? { ...query, csv: body, entity: query.entity ?? missingEntity() }
            : { ...body, mapping: body.mapping ?? query.mapping };
        const summary = await importCsv(db, actor, input, { targets });
        return reply.status(201).send(summary);
      },
    });

    registerRecordRoutes(scope, context, importResource, ['list', 'get']);
  });

  for (const target of targets.values()) exportRoute(app, context, target);
}

function missingEntity(): never {
  throw new BadRequestError('Say what the file holds: ?entity=leads, clients or contacts');
}

function exportRoute(app: App, context: AppContext, target: ImportTarget): void {
  const { resource } = target;
  app.get(`/api/v1/${resource.name}/export.csv`, {
    schema: {
      tags: [resource.name],
      summary: `Export ${resource.name} as CSV`,
      description: `Every ${resource.label.toLowerCase()} matching the same filters as the list, as a CSV download.`,
      querystring: exportQuerySchema(resource),
      produces: ['text/csv'],
      response: { 200: { description: 'CSV with a header row', content: { 'text/csv': { schema: z.string() } } } },
    },
    handler: async (request, reply) => {
      const actor = requireActor(request);
      const query = toExportQuery(resource, request.query as Record<string, unknown>);
      const stream = new PassThrough();
      exportCsv(context.database.db, actor, resource, query, stream).then(
        () => stream.end(),
        (error: unknown) => {
          request.log.warn({ err: error }, 'export stopped');
          stream.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${resource.name}-${day}.csv"`)
        .header('cache-control', 'no-store')
        // The schema documents the body as CSV text; it is streamed, not built as one string.
        .send(stream as unknown as string);
    },
  });
}

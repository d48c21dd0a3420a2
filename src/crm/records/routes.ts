import { z } from 'zod';
import { readAsActor, withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { BadRequestError } from '../../server/errors.js';
import { requireActor, requireRole } from '../../server/require-actor.js';
import { listEnvelope, type Resource } from './resource.js';
import {
  createRecord,
  deleteRecord,
  foundRecord,
  recordById,
  readListPage,
  restoreRecord,
  updateRecord,
  type ListQuery,
} from './queries.js';

export const idParams = z.object({ id: z.uuid() }).strict();

// PostgreSQL cannot hold a NUL character in text: refused here, before a CSV export has begun streaming.
const queryText = (max: number) => z.string().max(max).regex(/^[^\u0000]*$/, 'Must not contain NUL characters');

/** The list query string of a resource: paging, sort, search, and one parameter per filter. */
export function listQuerySchema(resource: Resource) {
  const filters = Object.fromEntries(
    Object.keys(resource.filters).map((column) => [
      column,
      queryText(2000).optional().describe('One value, several separated by commas, or "null" for none'),
    ]),
  );
  const ranges = Object.fromEntries(
    resource.dateFilters.flatMap((column) => [
      [`${column}_from`, z.string().max(40).optional().describe(`${column} on or after (ISO 8601)`)],
      [`${column}_to`, z.string().max(40).optional().describe(`${column} before (ISO 8601)`)],
    ]),
  );
  return z
    .object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().max(1000).optional(),
      sort: z
        .enum([...resource.sortable, ...resource.sortable.map((column) => `-${column}`)] as [string, ...string[]])
        .optional()
        .describe(`Sort column; "-" prefix for descending. Default ${resource.defaultSort}`),
      ...(resource.searchable ? { q: queryText(200).trim().optional().describe('Full-text search') } : {}),
      ...(resource.softDelete
        ? { deleted: z.enum(['exclude', 'include', 'only']).optional().describe('Soft-deleted records') }
        : {}),
      ...filters,
      ...ranges,
    })
    .strict();
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A date PostgreSQL will accept: the shape above, a day that exists (2026-02-30 does not) and a
 * time of day. Checked before the query, because a CSV export has already begun streaming
 * when PostgreSQL would refuse it.
 */
function isValidDate(value: string): boolean {
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
}

export function toListQuery(resource: Resource, raw: Record<string, unknown>): ListQuery {
  const filters: ListQuery['filters'] = {};
  for (const [column, kind] of Object.entries(resource.filters)) {
    const value = raw[column];
    if (typeof value !== 'string') continue;
    const values = value.split(',').map((part) => part.trim()).filter(Boolean);
    const check =
      kind === 'uuid'
        ? (v: string) => z.uuid().safeParse(v).success
        : kind === 'boolean'
          ? (v: string) => v === 'true' || v === 'false'
          : Array.isArray(kind)
            ? (v: string) => kind.includes(v)
            : () => true;
    const invalid = values.filter((v) => v !== 'null' && !check(v));
    if (invalid.length) {
      throw new BadRequestError(`Invalid ${column} filter: ${invalid.join(', ')}`);
    }
    filters[column] = values;
  }
  const ranges: ListQuery['ranges'] = {};
  for (const column of resource.dateFilters) {
    const from = raw[`${column}_from`];
    const to = raw[`${column}_to`];
    for (const bound of [from, to]) {
      if (typeof bound === 'string' && !isValidDate(bound)) {
        throw new BadRequestError(`Invalid date for ${column}: ${bound}`);
      }
    }
    if (typeof from === 'string' || typeof to === 'string') {
      ranges[column] = { from: from as string | undefined, to: to as string | undefined };
    }
  }
  return {
    limit: raw.limit as number,
    cursor: raw.cursor as string | undefined,
    sort: raw.sort as string | undefined,
    q: raw.q as string | undefined,
    deleted: raw.deleted as ListQuery['deleted'],
    filters,
    ranges,
  };
}

export type RecordRoute = 'list' | 'get' | 'create' | 'update' | 'delete' | 'restore';
const ALL_ROUTES: RecordRoute[] = ['list', 'get', 'create', 'update', 'delete', 'restore'];

/** list, get, create, update, soft delete and restore for one resource; thin: parse, call, map. */
export function registerRecordRoutes(app: App, context: AppContext, resource: Resource, only: RecordRoute[] = ALL_ROUTES): void {
  const { db } = context.database;
  const reader = (request: Parameters<typeof requireActor>[0]) =>
    resource.readRoles ? requireRole(request, ...resource.readRoles) : requireActor(request);
  const routes = new Set(only);
  const idParams = z.object({ id: resource.idSchema ?? z.uuid() }).strict();
  const base = `/api/v1/${resource.name}`;
  const tags = [resource.name];

  if (routes.has('list')) app.get(base, {
    schema: {
      tags,
      summary: `List ${resource.name.replace(/_/g, ' ')}`,
      querystring: listQuerySchema(resource),
      response: { 200: listEnvelope(resource.entity) },
    },
    handler: async (request) => {
      const actor = reader(request);
      return readListPage(context.database, actor, resource, toListQuery(resource, request.query as Record<string, unknown>));
    },
  });

  if (routes.has('get')) app.get(`${base}/:id`, {
    schema: { tags, summary: `Get a ${resource.label.toLowerCase()}`, params: idParams, response: { 200: resource.entity } },
    handler: async (request) => {
      const actor = reader(request);
      // The busiest read of the API, so one round trip (readAsActor) instead of three.
      const [row] = await readAsActor(context.database, actor, recordById(resource, request.params.id), { prepared: true });
      return foundRecord(resource, row);
    },
  });

  if (routes.has('create')) app.post(base, {
    schema: { tags, summary: `Create a ${resource.label.toLowerCase()}`, body: resource.create, response: { 201: resource.entity } },
    handler: async (request, reply) => {
      const actor = requireActor(request);
      const record = await withActor(db, actor, (tx) => createRecord(tx, resource, actor, request.body as Record<string, unknown>));
      return reply.status(201).send(record);
    },
  });

  if (routes.has('update')) app.patch(`${base}/:id`, {
    schema: {
      tags,
      summary: `Update a ${resource.label.toLowerCase()}`,
      params: idParams,
      body: resource.update,
      response: { 200: resource.entity },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) =>
        updateRecord(tx, resource, actor, request.params.id, request.body as Record<string, unknown>),
      );
    },
  });

  if (routes.has('delete')) app.delete(`${base}/:id`, {
    schema: {
      tags,
      summary: resource.softDelete ? `Move a ${resource.label.toLowerCase()} to the trash` : `Delete a ${resource.label.toLowerCase()}`,
      params: idParams,
      response: { 204: z.null().describe('Deleted') },
    },
    handler: async (request, reply) => {
      const actor = requireActor(request);
      await withActor(db, actor, (tx) => deleteRecord(tx, resource, actor, request.params.id));
      return reply.status(204).send(null);
    },
  });

  if (resource.softDelete && routes.has('restore')) {
    app.post(`${base}/:id/restore`, {
      schema: { tags, summary: `Restore a deleted ${resource.label.toLowerCase()}`, params: idParams, response: { 200: resource.entity } },
      handler: async (request) => {
        const actor = requireActor(request);
        return withActor(db, actor, (tx) => restoreRecord(tx, resource, actor, request.params.id));
      },
    });
  }
}

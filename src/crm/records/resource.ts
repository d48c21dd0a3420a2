import { z } from 'zod';
import type { Actor, Role } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';

export type Row = Record<string, unknown>;

/** How a list query parameter filters a column: by id, text, flag, or one of a set of values. */
export type FilterKind = 'uuid' | 'text' | 'boolean' | readonly [string, ...string[]];

/**
 * Everything the generic record use cases need to know about one CRM table. Each domain folder
 * declares its resource; its own use cases (convert a lead, merge duplicates...) sit beside it.
 */
export interface Resource {
  /** URL segment and table name, snake_case plural: "follow_ups". */
  name: string;
  /** Record ids are UUIDs unless this says otherwise (scoring rules have readable ids). */
  idSchema?: z.ZodType<string>;
  /** Human name for messages and OpenAPI component ids: "Follow-up". */
  label: string;
  /** The record as the API returns it; its keys are the columns read (never tsvector or bytes). */
  entity: z.ZodObject;
  create: z.ZodObject;
  update: z.ZodObject;
  /** List filters: every foreign key and the enumerations people filter by. */
  filters: Record<string, FilterKind>;
  /** Columns a list may sort by; the first is the default ("-" prefix = descending). */
  sortable: string[];
  defaultSort: string;
  /** Timestamp/date columns that take `<column>_from` and `<column>_to`. */
  dateFilters: string[];
  /** Has a generated `search` tsvector column, queried by `q`. */
  searchable?: boolean;
  /**
   * SQL function (tsquery, max_rows) -> SETOF uuid that finds matching ids through the GIN
   * index, which row-level security keeps a request's own query from using (migration 007).
   */
  searchFunction?: string;
  /**
   * The order in which searchFunction answers its ids, spelled as a sort ("-created_at"): a list
   * in that order reads its first page from the first candidates only (listPage).
   */
  searchFunctionOrder?: string;
  /** Soft delete through deleted_at (every CRM table) or a real DELETE (settings tables). */
  softDelete: boolean;
  /** Column that names the record's owner, set to the caller on create when not given. */
  ownerColumn?: string;
  /** Also stamp created_by with the caller on create. */
  stampsCreator?: boolean;
  /** Roles that may read at all (default every role); row-level security still decides which rows. */
  readRoles?: Role[];
  /** Roles that may write at all (default admin, manager, agent); row-level security still decides which rows. */
  writeRoles?: Role[];
  /** Normalises or derives values before they are written (phone to E.164, ...). */
  prepare?: (values: Row, context: { tx: Db; actor: Actor; existing?: Row }) => Promise<Row> | Row;
}

export const listEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

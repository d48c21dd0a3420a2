import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { BadRequestError } from '../../server/errors.js';
import { leadSchema } from './lead-resource.js';
import { findDuplicateGroups, selectLeads, type DuplicateKey, type Lead } from './queries.js';

/** Leads listed per group; `count` still says how many share the value. */
const LEADS_PER_GROUP = 50;

export const findDuplicateLeadsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50).describe('Groups per page'),
    cursor: z.string().max(1000).optional(),
  })
  .strict();
export type FindDuplicateLeadsQuery = z.infer<typeof findDuplicateLeadsQuery>;

export const duplicateGroupsSchema = z
  .object({
    data: z.array(
      z.object({
        key: z.enum(['email', 'phone']),
        value: z.string(),
        count: z.number().int().describe('How many leads share the value'),
        leads: z.array(leadSchema).describe(`The oldest ${LEADS_PER_GROUP} of them, oldest first`),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'LeadDuplicateGroups' });
export type DuplicateGroups = z.infer<typeof duplicateGroupsSchema>;

const cursorSchema = z.object({ key: z.enum(['email', 'phone']), value: z.string() });

function decodeCursor(cursor: string): { key: DuplicateKey; value: string } {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new BadRequestError('The cursor is not valid; start again without one');
  }
}

const encodeCursor = (after: { key: DuplicateKey; value: string }) =>
  Buffer.from(JSON.stringify({ key: after.key, value: after.value })).toString('base64url');

/**
 * Groups of live leads the caller can see that share an email or a phone: the candidates for a
 * merge. Emails and phones are stored normalised (lowercase, E.164), so equality finds them.
 */
export async function findDuplicateLeads(tx: Db, query: FindDuplicateLeadsQuery): Promise<DuplicateGroups> {
  const groups = await findDuplicateGroups(tx, {
    limit: query.limit + 1,
    after: query.cursor ? decodeCursor(query.cursor) : undefined,
    perGroup: LEADS_PER_GROUP,
  });
  const hasMore = groups.length > query.limit;
  const page = hasMore ? groups.slice(0, query.limit) : groups;
  const leads = new Map<string, Lead>(
    (await selectLeads(tx, [...new Set(page.flatMap((group) => group.ids))])).map((lead) => [lead.id, lead]),
  );
  const last = page.at(-1);
  return {
    data: page.map((group) => ({
      key: group.key,
      value: group.value,
      count: group.count,
      leads: group.ids.flatMap((id) => leads.get(id) ?? []),
    })),
    next_cursor: hasMore && last ? encodeCursor(last) : null,
  };
}

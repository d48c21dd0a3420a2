import type { Db } from '../../db/database.js';
import { ForbiddenError, UnauthorizedError } from '../../server/errors.js';

export interface PublicSite {
  id: string;
  name: string;
  allowed_origins: string[];
}

/**
 * The site a public request speaks for: its publishable key must name an active site, and a
 * browser's Origin must be one the site allows (a key copied to another website is refused).
 * Requests without an Origin (servers, curl) are accepted: the key is public anyway, and the
 * rate limits and honeypot apply to them like to everyone.
 */
export async function resolveSite(db: Db, key: string | undefined, origin: string | undefined): Promise<PublicSite> {
  if (!key) throw new UnauthorizedError('A publishable key is required (X-Clara-Key header or key parameter)');
  const site = await db
    .selectFrom('sites')
    .select(['id', 'name', 'allowed_origins'])
    .where('publishable_key', '=', key)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (!site) throw new UnauthorizedError('Unknown or disabled publishable key');
  if (origin !== undefined && !site.allowed_origins.includes(origin.toLowerCase())) {
    throw new ForbiddenError(`This key is not allowed from ${origin}`);
  }
  return site;
}

/** Whether any active site allows this origin: answers CORS preflights, which carry no key. */
export async function isAllowedOrigin(db: Db, origin: string): Promise<boolean> {
  const site = await db
    .selectFrom('sites')
    .select('id')
    .where('is_active', '=', true)
    .where((eb) => eb(eb.val(origin.toLowerCase()), '=', eb.fn.any('allowed_origins')))
    .executeTakeFirst();
  return site !== undefined;
}

import type { Db } from '../../db/database.js';
import type { EmailConfig } from './config.js';
import { selectTrackingSecret } from './queries.js';
import { trackingKey } from './tracking-token.js';

/**
 * The key of tracking tokens: from CLARA_SECRET when set, otherwise from the secret migration
 * 011 generated into the database, which every app node shares. Read on each use (one indexed
 * row) rather than cached, so nothing depends on a node's memory.
 */
export async function trackingKeyFor(tx: Db, config: Pick<EmailConfig, 'secret'>): Promise<Buffer> {
  return trackingKey(config.secret ?? (await selectTrackingSecret(tx)));
}

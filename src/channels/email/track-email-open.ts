import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { withSystem } from '../../db/with-actor.js';
import { NotFoundError } from '../../server/errors.js';
import type { EmailConfig } from './config.js';
import { recordEmailEvents } from './record-email-events.js';
import { trackingKeyFor } from './tracking-key.js';
import { verifyOpenToken } from './tracking-token.js';

/**
 * The open pixel was loaded: records an open of the email the token was signed for. A forged or
 * altered token records nothing and is simply not found. Every load is its own event (an email
 * opened twice was read twice); the lead keeps the latest open.
 */
export async function trackEmailOpen(db: Db, config: Pick<EmailConfig, 'secret'>, token: string): Promise<void> {
  await withSystem(db, async (tx) => {
    const messageId = verifyOpenToken(await trackingKeyFor(tx, config), token);
    if (!messageId) throw new NotFoundError('Tracking link');
    await recordEmailEvents(tx, [
      { provider: 'clara', providerEventId: randomUUID(), type: 'opened', occurredAt: new Date().toISOString(), reference: { messageId }, payload: {} },
    ]);
  });
}

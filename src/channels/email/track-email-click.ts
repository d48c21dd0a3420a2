import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { withSystem } from '../../db/with-actor.js';
import { NotFoundError } from '../../server/errors.js';
import type { EmailConfig } from './config.js';
import { recordEmailEvents } from './record-email-events.js';
import { trackingKeyFor } from './tracking-key.js';
import { verifyClickToken } from './tracking-token.js';

/**
 * A tracked link was followed: records the click and returns where to send the reader. Only a
 * token Clara signed gives a destination, and only the one it was signed with, so the redirect
 * cannot be pointed anywhere else (no open redirect) and clicks cannot be forged.
 */
export async function trackEmailClick(db: Db, config: Pick<EmailConfig, 'secret'>, token: string): Promise<string> {
  return withSystem(db, async (tx) => {
    const click = verifyClickToken(await trackingKeyFor(tx, config), token);
    if (!click) throw new NotFoundError('Tracking link');
    await recordEmailEvents(tx, [
      {
        provider: 'clara',
        providerEventId: randomUUID(),
        type: 'clicked',
        occurredAt: new Date().toISOString(),
        reference: { messageId: click.messageId },
        url: click.url,
        payload: {},
      },
    ]);
    return click.url;
  });
}

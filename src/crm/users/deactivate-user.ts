import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../server/errors.js';

/** Users are never deleted: their leads, calls and audit trail keep pointing at them. */
export async function deactivateUser(tx: Db, actor: Actor, userId: string): Promise<void> {
  if (userId === actor.userId) throw new BadRequestError('You cannot deactivate yourself');
  const user = await tx
    .updateTable('users')
    .set({ is_active: false })
    .where('id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  if (!user) throw new NotFoundError('User');
}

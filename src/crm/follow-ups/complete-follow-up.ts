import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { ConflictError, NotFoundError } from '../../server/errors.js';
import { getRecord, updateRecord } from '../records/queries.js';
import { followUpResource, type FollowUp } from './follow-up-resource.js';

/** Marks a follow-up done now. Completing it twice is harmless; a cancelled one must be reopened first. */
export async function completeFollowUp(tx: Db, actor: Actor, id: string): Promise<FollowUp> {
  const followUp = await getRecord(tx, followUpResource, id);
  if (followUp.deleted_at) throw new NotFoundError(followUpResource.label);
  if (followUp.status === 'Completed') return followUp as FollowUp;
  if (followUp.status === 'Cancelled') {
    throw new ConflictError('This follow-up was cancelled; set its status back to Pending before completing it');
  }
  return (await updateRecord(tx, followUpResource, actor, id, { status: 'Completed' })) as FollowUp;
}

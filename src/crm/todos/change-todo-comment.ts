import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { ForbiddenError } from '../../server/errors.js';
import { deleteRecord, getRecord, restoreRecord, updateRecord } from '../records/queries.js';
import { todoCommentResource, type TodoComment } from './todo-comment-resource.js';

/**
 * A comment the caller sees but did not write answers 403, not the 404 that row-level security
 * alone would give (the UPDATE finds no row it may touch). Migration 018 is what enforces it.
 */
async function assertAuthorOrAdmin(tx: Db, actor: Actor, id: string): Promise<void> {
  const comment = await getRecord(tx, todoCommentResource, id);
  if (actor.role !== 'admin' && comment.created_by !== actor.userId) {
    throw new ForbiddenError('Only its author or an admin can change or delete a comment');
  }
}

export async function editTodoComment(tx: Db, actor: Actor, id: string, input: { body: string }): Promise<TodoComment> {
  await assertAuthorOrAdmin(tx, actor, id);
  return (await updateRecord(tx, todoCommentResource, actor, id, input)) as TodoComment;
}

export async function deleteTodoComment(tx: Db, actor: Actor, id: string): Promise<void> {
  await assertAuthorOrAdmin(tx, actor, id);
  await deleteRecord(tx, todoCommentResource, actor, id);
}

export async function restoreTodoComment(tx: Db, actor: Actor, id: string): Promise<TodoComment> {
  await assertAuthorOrAdmin(tx, actor, id);
  return (await restoreRecord(tx, todoCommentResource, actor, id)) as TodoComment;
}

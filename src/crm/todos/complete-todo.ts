import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { ConflictError } from '../../server/errors.js';
import { updateRecord } from '../records/queries.js';
import { findLiveTodo } from './queries.js';
import { todoResource, type Todo } from './todo-resource.js';

/** Marks a todo done now. Completing it twice is harmless; a cancelled one must be reopened first. */
export async function completeTodo(tx: Db, actor: Actor, id: string): Promise<Todo> {
  const todo = await findLiveTodo(tx, id);
  if (todo.status === 'done') return todo as Todo;
  if (todo.status === 'cancelled') {
    throw new ConflictError('This todo was cancelled; set its status back to todo before completing it');
  }
  return (await updateRecord(tx, todoResource, actor, id, { status: 'done' })) as Todo;
}

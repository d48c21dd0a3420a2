import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { createRecord } from '../records/queries.js';
import { findLiveTodo } from './queries.js';
import { todoCommentResource, type TodoComment } from './todo-comment-resource.js';

export async function addTodoComment(tx: Db, actor: Actor, todoId: string, input: { body: string }): Promise<TodoComment> {
  await findLiveTodo(tx, todoId);
  return (await createRecord(tx, todoCommentResource, actor, { todo_id: todoId, body: input.body })) as TodoComment;
}

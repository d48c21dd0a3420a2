import type { Db } from '../../db/database.js';
import { getRecord, listRecords, type ListQuery } from '../records/queries.js';
import type { Resource } from '../records/resource.js';
import type { PageOf } from '../shared/fields.js';
import { todoCommentResource, type TodoComment } from './todo-comment-resource.js';
import { todoResource } from './todo-resource.js';

/** The query parameters of /todos/{id}/comments: the todo comes from the path. */
export const nestedTodoCommentResource: Resource = { ...todoCommentResource, filters: { created_by: 'uuid' } };

/** A todo's comments, oldest first; 404 when the todo is not visible, an empty page when it has none. */
export async function listTodoComments(tx: Db, todoId: string, query: ListQuery): Promise<PageOf<TodoComment>> {
  await getRecord(tx, todoResource, todoId);
  const page = await listRecords(tx, todoCommentResource, { ...query, filters: { ...query.filters, todo_id: [todoId] } });
  return page as PageOf<TodoComment>;
}

import type { Db } from '../../db/database.js';
import { getRecord, listRecords, type ListQuery } from '../records/queries.js';
import type { Resource } from '../records/resource.js';
import type { PageOf } from '../shared/fields.js';
import { todoAttachmentResource, type TodoAttachment } from './todo-attachment-resource.js';
import { todoResource } from './todo-resource.js';

/** The query parameters of /todos/{id}/attachments: the todo comes from the path. */
export const nestedTodoAttachmentResource: Resource = { ...todoAttachmentResource, filters: { created_by: 'uuid', content_type: 'text' } };

/** A todo's attachments (metadata only); 404 when the todo is not visible. */
export async function listTodoAttachments(tx: Db, todoId: string, query: ListQuery): Promise<PageOf<TodoAttachment>> {
  await getRecord(tx, todoResource, todoId);
  const page = await listRecords(tx, todoAttachmentResource, { ...query, filters: { ...query.filters, todo_id: [todoId] } });
  return page as PageOf<TodoAttachment>;
}

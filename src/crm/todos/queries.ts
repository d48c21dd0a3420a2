import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { NotFoundError } from '../../server/errors.js';
import { getRecord } from '../records/queries.js';
import type { Row } from '../records/resource.js';
import { todoResource } from './todo-resource.js';

/** A todo the caller can see and that is not in the trash; 404 otherwise. */
export async function findLiveTodo(tx: Db, id: string): Promise<Row> {
  const todo = await getRecord(tx, todoResource, id);
  if (todo.deleted_at) throw new NotFoundError(todoResource.label);
  return todo;
}

export interface AttachmentContent {
  file_name: string;
  content_type: string;
  content: Buffer;
}

export async function findAttachmentContent(tx: Db, id: string): Promise<AttachmentContent | undefined> {
  const { rows } = await sql<AttachmentContent>`
    SELECT file_name, content_type, content FROM todo_attachments WHERE id = ${id} AND deleted_at IS NULL`.execute(tx);
  return rows[0];
}

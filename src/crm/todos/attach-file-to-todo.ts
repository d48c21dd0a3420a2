import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { BadRequestError } from '../../server/errors.js';
import { createRecord } from '../records/queries.js';
import { findLiveTodo } from './queries.js';
import { todoAttachmentResource, type TodoAttachment } from './todo-attachment-resource.js';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export const attachFileQuery = z
  .object({ file_name: z.string().trim().min(1).max(255).describe('The name the file is downloaded under') })
  .strict();

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The stored media type: the request's, without parameters other than charset, or octet-stream. */
export function attachmentContentType(header: string | undefined): string {
  const [essence = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim());
  const type = essence.toLowerCase();
  if (!MEDIA_TYPE.test(type)) return 'application/octet-stream';
  const charset = parameters.find((parameter) => /^charset=[\w.-]{1,40}$/i.test(parameter));
  return charset ? `${type}; ${charset.toLowerCase()}` : type;
}

/** A name that is only a name: no folders, no control characters. */
export function cleanFileName(raw: string): string {
  const name = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!name || name === '.' || name === '..') throw new BadRequestError('file_name must be a file name');
  return name;
}

export interface AttachFileInput {
  fileName: string;
  contentType: string | undefined;
  content: Buffer;
}

/** Stores a file on a todo; its bytes stay in PostgreSQL, in the same transaction as everything else. */
export async function attachFileToTodo(tx: Db, actor: Actor, todoId: string, input: AttachFileInput): Promise<TodoAttachment> {
  if (input.content.length === 0) throw new BadRequestError('The file is empty: send its bytes as the request body');
  await findLiveTodo(tx, todoId);
  return (await createRecord(tx, todoAttachmentResource, actor, {
    todo_id: todoId,
    file_name: cleanFileName(input.fileName),
    content_type: attachmentContentType(input.contentType),
    size_bytes: input.content.length,
    content: input.content,
  })) as TodoAttachment;
}

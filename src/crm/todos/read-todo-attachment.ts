import type { Db } from '../../db/database.js';
import { NotFoundError } from '../../server/errors.js';
import { findAttachmentContent, type AttachmentContent } from './queries.js';

export async function readTodoAttachment(tx: Db, id: string): Promise<AttachmentContent> {
  const attachment = await findAttachmentContent(tx, id);
  if (!attachment) throw new NotFoundError('Todo attachment');
  return attachment;
}

/**
 * Content-Disposition for a download: an ASCII fallback name and the exact UTF-8 one (RFC 6266),
 * so that no stored name can break out of the header.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

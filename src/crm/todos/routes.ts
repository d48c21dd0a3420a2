import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { BadRequestError } from '../../server/errors.js';
import { requireActor, requireRole } from '../../server/require-actor.js';
import { listEnvelope } from '../records/resource.js';
import { idParams, listQuerySchema, registerRecordRoutes, toListQuery } from '../records/routes.js';
import { addTodoComment } from './add-todo-comment.js';
import { attachFileQuery, attachFileToTodo, MAX_ATTACHMENT_BYTES } from './attach-file-to-todo.js';
import { deleteTodoComment, editTodoComment, restoreTodoComment } from './change-todo-comment.js';
import { completeTodo } from './complete-todo.js';
import { listTodoAttachments, nestedTodoAttachmentResource } from './list-todo-attachments.js';
import { listTodoComments, nestedTodoCommentResource } from './list-todo-comments.js';
import { contentDisposition, readTodoAttachment } from './read-todo-attachment.js';
import { todoAttachmentResource, todoAttachmentSchema } from './todo-attachment-resource.js';
import { todoCommentInput, todoCommentResource, todoCommentSchema } from './todo-comment-resource.js';
import { todoResource, todoSchema } from './todo-resource.js';

const WRITERS = ['admin', 'manager', 'agent'] as const;

export function todoRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['todos'];
  registerRecordRoutes(app, context, todoResource);
  // Changing a comment is its author's (or an admin's): not the generic update, delete and restore.
  registerRecordRoutes(app, context, todoCommentResource, ['get']);
  registerRecordRoutes(app, context, todoAttachmentResource, ['get', 'delete', 'restore']);

  app.post('/api/v1/todos/:id/complete', {
    schema: { tags, summary: 'Mark a todo done now', params: idParams, response: { 200: todoSchema } },
    handler: async (request) => {
      const actor = requireRole(request, ...WRITERS);
      return withActor(db, actor, (tx) => completeTodo(tx, actor, request.params.id));
    },
  });

  app.get('/api/v1/todos/:id/comments', {
    schema: {
      tags,
      summary: "A todo's comments, oldest first",
      params: idParams,
      querystring: listQuerySchema(nestedTodoCommentResource),
      response: { 200: listEnvelope(todoCommentSchema) },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      const query = toListQuery(nestedTodoCommentResource, request.query as Record<string, unknown>);
      return withActor(db, actor, (tx) => listTodoComments(tx, request.params.id, query));
    },
  });

  app.post('/api/v1/todos/:id/comments', {
    schema: { tags, summary: 'Comment on a todo', params: idParams, body: todoCommentInput, response: { 201: todoCommentSchema } },
    handler: async (request, reply) => {
      const actor = requireRole(request, ...WRITERS);
      const comment = await withActor(db, actor, (tx) => addTodoComment(tx, actor, request.params.id, request.body));
      return reply.status(201).send(comment);
    },
  });

  const commentTags = ['todo_comments'];
  app.patch('/api/v1/todo_comments/:id', {
    schema: { tags: commentTags, summary: 'Edit a comment (its author or an admin)', params: idParams, body: todoCommentInput, response: { 200: todoCommentSchema } },
    handler: async (request) => {
      const actor = requireRole(request, ...WRITERS);
      return withActor(db, actor, (tx) => editTodoComment(tx, actor, request.params.id, request.body));
    },
  });

  app.delete('/api/v1/todo_comments/:id', {
    schema: { tags: commentTags, summary: 'Move a comment to the trash (its author or an admin)', params: idParams, response: { 204: z.null().describe('Deleted') } },
    handler: async (request, reply) => {
      const actor = requireRole(request, ...WRITERS);
      await withActor(db, actor, (tx) => deleteTodoComment(tx, actor, request.params.id));
      return reply.status(204).send(null);
    },
  });

  app.post('/api/v1/todo_comments/:id/restore', {
    schema: { tags: commentTags, summary: 'Restore a deleted comment (its author or an admin)', params: idParams, response: { 200: todoCommentSchema } },
    handler: async (request) => {
      const actor = requireRole(request, ...WRITERS);
      return withActor(db, actor, (tx) => restoreTodoComment(tx, actor, request.params.id));
    },
  });

  app.get('/api/v1/todos/:id/attachments', {
    schema: {
      tags,
      summary: "A todo's attachments (metadata; the bytes are at /todo_attachments/{id}/content)",
      params: idParams,
      querystring: listQuerySchema(nestedTodoAttachmentResource),
      response: { 200: listEnvelope(todoAttachmentSchema) },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      const query = toListQuery(nestedTodoAttachmentResource, request.query as Record<string, unknown>);
      return withActor(db, actor, (tx) => listTodoAttachments(tx, request.params.id, query));
    },
  });

  app.get('/api/v1/todo_attachments/:id/content', {
    schema: { tags: ['todo_attachments'], summary: "Download an attachment's bytes", params: idParams },
    handler: async (request, reply) => {
      const actor = requireActor(request);
      const file = await withActor(db, actor, (tx) => readTodoAttachment(tx, request.params.id));
      return reply
        .header('content-type', file.content_type)
        .header('content-disposition', contentDisposition(file.file_name))
        .header('cache-control', 'private, no-cache')
        .send(file.content);
    },
  });

  // The upload takes the file itself as the body, whatever its type: in this plugin only, every
  // content type is read as raw bytes (a JSON file is stored, not parsed), up to 10 MB.
  app.register(async (scope) => {
    const raw = scope.withTypeProvider<ZodTypeProvider>();
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_request, body, done) => done(null, body));
    raw.post('/api/v1/todos/:id/attachments', {
      bodyLimit: MAX_ATTACHMENT_BYTES,
      schema: {
        tags,
        summary: 'Attach a file to a todo: the raw bytes as the body, its type as Content-Type (10 MB at most)',
        params: idParams,
        querystring: attachFileQuery,
        response: { 201: todoAttachmentSchema },
      },
      handler: async (request, reply) => {
        const actor = requireRole(request, ...WRITERS);
        const content = request.body;
        if (content !== undefined && content !== null && !Buffer.isBuffer(content)) {
          throw new BadRequestError('Send the file as the raw request body');
        }
        const attachment = await withActor(db, actor, (tx) =>
          attachFileToTodo(tx, actor, request.params.id, {
            fileName: request.query.file_name,
            contentType: request.headers['content-type'],
            content: content ?? Buffer.alloc(0),
          }),
        );
        return reply.status(201).send(attachment);
      },
    });
  });
}

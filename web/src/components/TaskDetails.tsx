import { Anchor, Badge, Button, Card, Drawer, FileButton, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, must, type Schemas, type Todo } from '../api/client';
import { useAbilities } from '../lib/auth';
import { dateTime, fromNow, humanize } from '../lib/format';
import { useUserNames } from '../lib/queries';

const onError = (error: Error) => notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(error) });

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The API's limit for one attachment (src/crm/todos/attach-file-to-todo.ts). */
const MAX_BYTES = 10 * 1024 * 1024;

type TodoComment = Schemas['TodoComment'];

/** One comment; its author (or an admin, as the API allows) edits it in place or deletes it, with an undo. */
function Comment({ comment }: { comment: TodoComment }) {
  const { user, canEdit, isAdmin } = useAbilities();
  const queryClient = useQueryClient();
  const userName = useUserNames();
  const [draft, setDraft] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['todo_comments'] });
  const edit = useMutation({
    mutationFn: async (body: string) => must(await api.PATCH('/api/v1/todo_comments/{id}', { params: { path: { id: comment.id } }, body: { body } })),
    onSuccess: () => {
      setDraft(null);
      void refresh();
    },
    onError,
  });
  const restore = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/todo_comments/{id}/restore', { params: { path: { id: comment.id } } })),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({
    mutationFn: async () => must(await api.DELETE('/api/v1/todo_comments/{id}', { params: { path: { id: comment.id } } })),
    onSuccess: () => {
      void refresh();
      notifications.show({
        message: (
          <Group justify="space-between" wrap="nowrap">
            Comment deleted
            <Button size="compact-xs" variant="subtle" onClick={() => restore.mutate()}>
              Undo
            </Button>
          </Group>
        ),
      });
    },
    onError,
  });
  const mine = canEdit && (isAdmin || comment.created_by === user.id);
  const edited = comment.updated_at !== comment.created_at;
  if (draft !== null) {
    return (
      <Card withBorder padding="xs" data-comment={comment.id}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) edit.mutate(draft.trim());
          }}
        >
          <Stack gap="xs">
            <Textarea label="Edit the comment" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} autosize minRows={2} autoFocus />
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="default" onClick={() => setDraft(null)}>
                Cancel
              </Button>
              <Button type="submit" size="xs" loading={edit.isPending} disabled={!draft.trim() || draft.trim() === comment.body}>
                Save comment
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    );
  }
  return (
    <Card withBorder padding="xs" data-comment={comment.id}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {comment.body}
      </Text>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="xs" c="dimmed" title={comment.created_at}>
          {userName(comment.created_by)} · {fromNow(comment.created_at)}
          {edited && <span title={comment.updated_at}> · edited</span>}
        </Text>
        {mine && (
          <Group gap={4} wrap="nowrap">
            <Button size="compact-xs" variant="subtle" aria-label={`Edit comment: ${excerpt(comment.body)}`} onClick={() => setDraft(comment.body)}>
              Edit
            </Button>
            <Button size="compact-xs" variant="subtle" color="red" aria-label={`Delete comment: ${excerpt(comment.body)}`} loading={remove.isPending} onClick={() => remove.mutate()}>
              Delete
            </Button>
          </Group>
        )}
      </Group>
    </Card>
  );
}

/** The start of a comment, to name its buttons for screen readers. */
function excerpt(body: string): string {
  return body.length > 40 ? `${body.slice(0, 40)}…` : body;
}

function Comments({ todo }: { todo: Todo }) {
  const { canEdit } = useAbilities();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const comments = useQuery({
    queryKey: ['todo_comments', { todo_id: todo.id }],
    queryFn: async () => must(await api.GET('/api/v1/todos/{id}/comments', { params: { path: { id: todo.id }, query: { limit: 200 } } })).data,
  });
  const add = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/todos/{id}/comments', { params: { path: { id: todo.id } }, body: { body: body.trim() } })),
    onSuccess: () => {
      setBody('');
      void queryClient.invalidateQueries({ queryKey: ['todo_comments'] });
    },
    onError,
  });
  return (
    <Stack gap="xs" component="section" aria-labelledby="task-comments">
      <Title order={3} size="h5" id="task-comments">
        Comments
      </Title>
      {(comments.data ?? []).map((c) => (
        <Comment key={c.id} comment={c} />
      ))}
      {comments.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No comments yet.
        </Text>
      )}
      {canEdit && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (body.trim()) add.mutate();
          }}
        >
          <Stack gap="xs">
            <Textarea label="Add a comment" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} />
            <Group justify="flex-end">
              <Button type="submit" size="xs" loading={add.isPending} disabled={!body.trim()}>
                Add comment
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}

function Attachments({ todo }: { todo: Todo }) {
  const { canEdit } = useAbilities();
  const queryClient = useQueryClient();
  const userName = useUserNames();
  const attachments = useQuery({
    queryKey: ['todo_attachments', { todo_id: todo.id }],
    queryFn: async () => must(await api.GET('/api/v1/todos/{id}/attachments', { params: { path: { id: todo.id }, query: { limit: 200 } } })).data,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['todo_attachments'] });
  const upload = useMutation({
    mutationFn: async (file: File) => {
      if (file.size > MAX_BYTES) throw new Error(`${file.name} is larger than 10 MB`);
      // The file itself is the body, its type the Content-Type (not JSON, not a form).
      return must(
        await api.POST('/api/v1/todos/{id}/attachments', {
          params: { path: { id: todo.id }, query: { file_name: file.name } },
          body: file as never,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'content-type': file.type || 'application/octet-stream' },
        }),
      );
    },
    onSuccess: (attachment) => {
      notifications.show({ color: 'teal', message: `${attachment.file_name} attached` });
      void refresh();
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: async (id: string) => must(await api.DELETE('/api/v1/todo_attachments/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError,
  });
  return (
    <Stack gap="xs" component="section" aria-labelledby="task-attachments">
      <Title order={3} size="h5" id="task-attachments">
        Attachments
      </Title>
      {(attachments.data ?? []).length > 0 && (
        <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Attachments">
          {(attachments.data ?? []).map((a) => (
            <Group key={a.id} component="li" justify="space-between" wrap="nowrap" gap="xs">
              <div style={{ minWidth: 0 }}>
                <Anchor href={`/api/v1/todo_attachments/${a.id}/content`} size="sm" download={a.file_name}>
                  {a.file_name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {size(a.size_bytes)} · {userName(a.created_by)} · {fromNow(a.created_at)}
                </Text>
              </div>
              {canEdit && (
                <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${a.file_name}`} onClick={() => remove.mutate(a.id)}>
                  Remove
                </Button>
              )}
            </Group>
          ))}
        </Stack>
      )}
      {attachments.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No files.
        </Text>
      )}
      {canEdit && (
        <Group>
          <FileButton onChange={(file) => file && upload.mutate(file)}>
            {(props) => (
              <Button {...props} size="xs" variant="light" loading={upload.isPending}>
                Attach a file
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            Up to 10 MB.
          </Text>
        </Group>
      )}
    </Stack>
  );
}

/** A task's description, comments and attachments, in a drawer beside the list it was opened from. */
export function TaskDetails({ todo, onClose }: { todo: Todo | null; onClose: () => void }) {
  const userName = useUserNames();
  return (
    <Drawer opened={todo !== null} onClose={onClose} position="right" size="md" title={todo?.title ?? 'Task'}>
      {todo && (
        <Stack>
          <Group gap="xs">
            <Badge variant="light">{humanize(todo.status)}</Badge>
            <Badge variant="outline">{todo.priority}</Badge>
            <Text size="xs" c="dimmed">
              {todo.due_date ? `due ${dateTime(todo.due_date)}` : 'no due date'} · {userName(todo.assigned_to)}
            </Text>
          </Group>
          {todo.description && (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {todo.description}
            </Text>
          )}
          <Comments todo={todo} />
          <Attachments todo={todo} />
        </Stack>
      )}
    </Drawer>
  );
}

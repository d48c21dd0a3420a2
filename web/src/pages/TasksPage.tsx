import { Anchor, Badge, Button, Card, Group, Menu, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorMessage, must, type FollowUp, type Todo } from '../api/client';
import { TaskDetails } from '../components/TaskDetails';
import { useAbilities } from '../lib/auth';
import { dateTime } from '../lib/format';
import { useUserNames, useUsers } from '../lib/queries';

type Item =
  | { kind: 'task'; id: string; due: string | null; todo: Todo }
  | { kind: 'follow-up'; id: string; due: string; followUp: FollowUp };

const PRIORITY_COLOR: Record<Todo['priority'], string> = { low: 'gray', medium: 'blue', high: 'orange', urgent: 'red' };

function bucketOf(due: string | null): 'overdue' | 'today' | 'upcoming' {
  if (!due) return 'upcoming';
  const endOfToday = new Date();
  endOfToday.setHours(24, 0, 0, 0);
  const at = Date.parse(due);
  return at < Date.now() ? 'overdue' : at < endOfToday.getTime() ? 'today' : 'upcoming';
}

/** Open tasks and pending follow-ups, overdue first; complete or reassign them in place. */
export default function TasksPage() {
  const { canEdit, user } = useAbilities();
  const queryClient = useQueryClient();
  const users = useUsers();
  const userName = useUserNames();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [priority, setPriority] = useState<Todo['priority']>('medium');
  const [assignee, setAssignee] = useState<string | null>(user.id);
  // /tasks/:id opens that task's comments and attachments (notifications link there).
  const { id: openId } = useParams();
  const navigate = useNavigate();

  const todos = useQuery({
    queryKey: ['todos', 'open'],
    queryFn: async () => must(await api.GET('/api/v1/todos', { params: { query: { status: 'todo,in_progress', sort: 'due_date', limit: 200 } } })).data,
  });
  const followUps = useQuery({
    queryKey: ['follow_ups', 'pending'],
    queryFn: async () => must(await api.GET('/api/v1/follow_ups', { params: { query: { status: 'Pending', sort: 'due_date', limit: 200 } } })).data,
  });
  const opened = useQuery({
    queryKey: ['todos', openId],
    queryFn: async () => must(await api.GET('/api/v1/todos/{id}', { params: { path: { id: openId as string } } })),
    enabled: Boolean(openId),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['todos'] });
    void queryClient.invalidateQueries({ queryKey: ['follow_ups'] });
  };
  const onError = (error: Error) => notifications.show({ color: 'red', message: errorMessage(error) });
  const add = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/todos', {
          body: { title: title.trim(), priority, assigned_to: assignee, due_date: due ? new Date(due).toISOString() : null },
        }),
      ),
    onSuccess: () => {
      setTitle('');
      setDue('');
      refresh();
    },
    onError,
  });
  const complete = useMutation({
    mutationFn: async (item: Item) =>
      item.kind === 'task'
        ? must(await api.POST('/api/v1/todos/{id}/complete', { params: { path: { id: item.id } } }))
        : must(await api.POST('/api/v1/follow_ups/{id}/complete', { params: { path: { id: item.id } } })),
    onSuccess: refresh,
    onError,
  });
  const reassign = useMutation({
    mutationFn: async ({ item, userId }: { item: Item; userId: string }) =>
      item.kind === 'task'
        ? must(await api.PATCH('/api/v1/todos/{id}', { params: { path: { id: item.id } }, body: { assigned_to: userId } }))
        : must(await api.PATCH('/api/v1/follow_ups/{id}', { params: { path: { id: item.id } }, body: { agent_id: userId } })),
    onSuccess: refresh,
    onError,
  });

  const items: Item[] = [
    ...(todos.data ?? []).map((todo): Item => ({ kind: 'task', id: todo.id, due: todo.due_date, todo })),
    ...(followUps.data ?? []).map((followUp): Item => ({ kind: 'follow-up', id: followUp.id, due: followUp.due_date, followUp })),
  ].sort((a, b) => (a.due ? Date.parse(a.due) : Infinity) - (b.due ? Date.parse(b.due) : Infinity));
  const groups = { overdue: [] as Item[], today: [] as Item[], upcoming: [] as Item[] };
  for (const item of items) groups[bucketOf(item.due)].push(item);
  const people = (users.data ?? []).filter((u) => u.is_active && !u.is_service);

  const renderItem = (item: Item) => {
    const owner = item.kind === 'task' ? item.todo.assigned_to : item.followUp.agent_id;
    const leadId = item.kind === 'task' ? item.todo.lead_id : item.followUp.lead_id;
    return (
      <Card key={`${item.kind}-${item.id}`} withBorder padding="sm" data-item={item.kind}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            {item.kind === 'task' ? (
              <Anchor
                component={Link}
                to={`/tasks/${item.id}`}
                size="sm"
                fw={500}
                c="var(--mantine-color-text)"
                aria-label={`${item.todo.title}: comments and attachments`}
              >
                {item.todo.title}
              </Anchor>
            ) : (
              <Text size="sm" fw={500}>
                {item.followUp.notes ?? item.followUp.ai_recommendation ?? 'Follow up'}
              </Text>
            )}
            <Group gap={6} mt={4}>
              <Badge size="xs" variant="light" color={item.kind === 'task' ? 'indigo' : 'teal'}>
                {item.kind}
              </Badge>
              {item.kind === 'task' && (
                <Badge size="xs" variant="outline" color={PRIORITY_COLOR[item.todo.priority]}>
                  {item.todo.priority}
                </Badge>
              )}
              {item.kind === 'follow-up' && item.followUp.suggested_by_ai && <Badge size="xs">suggested by Clara</Badge>}
              <Text size="xs" c="dimmed">
                {item.due ? dateTime(item.due) : 'no due date'} · {userName(owner)}
              </Text>
              {leadId && (
                <Anchor component={Link} to={`/leads/${leadId}`} size="xs">
                  lead
                </Anchor>
              )}
            </Group>
          </div>
          {canEdit && (
            <Group gap={4} wrap="nowrap">
              <Menu>
                <Menu.Target>
                  <Button size="compact-xs" variant="subtle">
                    Reassign
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {people.map((u) => (
                    <Menu.Item key={u.id} onClick={() => reassign.mutate({ item, userId: u.id })}>
                      {u.full_name}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
              <Button size="compact-xs" variant="light" onClick={() => complete.mutate(item)}>
                Complete
              </Button>
            </Group>
          )}
        </Group>
      </Card>
    );
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        Tasks & follow-ups
      </Title>
      {canEdit && (
        <Paper withBorder p="sm">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (title.trim()) add.mutate();
            }}
          >
            <Group align="flex-end">
              <TextInput label="New task" value={title} onChange={(e) => setTitle(e.currentTarget.value)} style={{ flex: 1 }} required />
              <TextInput label="Due" type="datetime-local" value={due} onChange={(e) => setDue(e.currentTarget.value)} />
              <Select label="Priority" data={['low', 'medium', 'high', 'urgent']} value={priority} onChange={(v) => setPriority((v as Todo['priority']) ?? 'medium')} w={110} allowDeselect={false} />
              <Select label="Assignee" data={people.map((u) => ({ value: u.id, label: u.full_name }))} value={assignee} onChange={setAssignee} w={170} />
              <Button type="submit" loading={add.isPending} disabled={!title.trim()}>
                Add task
              </Button>
            </Group>
          </form>
        </Paper>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {(['overdue', 'today', 'upcoming'] as const).map((group) => (
          <Stack key={group} gap="xs" component="section" aria-label={group}>
            <Group gap="xs">
              <Title order={2} size="h4" tt="capitalize" c={group === 'overdue' ? 'var(--mantine-color-red-text)' : undefined}>
                {group}
              </Title>
              <Badge variant="light" color={group === 'overdue' ? 'red' : 'gray'}>
                {groups[group].length}
              </Badge>
            </Group>
            {groups[group].map(renderItem)}
            {groups[group].length === 0 && (
              <Text size="sm" c="dimmed">
                Nothing {group}.
              </Text>
            )}
          </Stack>
        ))}
      </SimpleGrid>
      <TaskDetails todo={openId ? (opened.data ?? null) : null} onClose={() => void navigate('/tasks')} />
    </Stack>
  );
}

import { Anchor, Button, Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, must } from '../api/client';
import { fromNow } from '../lib/format';

export default function NotificationsPage() {
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<'all' | 'unread'>('all');
  const list = useQuery({
    queryKey: ['notifications', 'page', filter],
    queryFn: async () =>
      must(await api.GET('/api/v1/notifications', { params: { query: { limit: 100, ...(filter === 'unread' ? { unread: 'true' as const } : {}) } } })).data,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notifications'] });
  const read = useMutation({
    mutationFn: async (id: string) => must(await api.POST('/api/v1/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const readAll = useMutation({ mutationFn: async () => must(await api.POST('/api/v1/notifications/read_all')), onSuccess: refresh });
  const linkOf = (n: { link: string | null; entity_type: string | null; entity_id: string | null }) =>
    n.link?.startsWith('/') ? n.link : n.entity_type === 'lead' && n.entity_id ? `/leads/${n.entity_id}` : null;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Notifications
        </Title>
        <Group>
          <SegmentedControl data={[{ value: 'all', label: 'All' }, { value: 'unread', label: 'Unread' }]} value={filter} onChange={(v) => setFilter(v as 'all' | 'unread')} aria-label="Show" />
          <Button variant="light" onClick={() => readAll.mutate()}>
            Mark all read
          </Button>
        </Group>
      </Group>
      {(list.data ?? []).map((n) => {
        const link = linkOf(n);
        return (
          <Card key={n.id} withBorder padding="sm" bg={n.read_at ? undefined : 'var(--clara-surface-active)'}>
            <Group justify="space-between" wrap="nowrap">
              <div>
                <Text fw={n.read_at ? 400 : 600} size="sm">
                  {link ? (
                    <Anchor component={Link} to={link} onClick={() => !n.read_at && read.mutate(n.id)}>
                      {n.title}
                    </Anchor>
                  ) : (
                    n.title
                  )}
                </Text>
                {n.body && <Text size="sm" c="dimmed">{n.body}</Text>}
                <Text size="xs" c="dimmed">
                  {fromNow(n.created_at)}
                </Text>
              </div>
              {!n.read_at && (
                <Button size="compact-xs" variant="subtle" onClick={() => read.mutate(n.id)}>
                  Mark read
                </Button>
              )}
            </Group>
          </Card>
        );
      })}
      {list.data?.length === 0 && <Text c="dimmed">No notifications.</Text>}
    </Stack>
  );
}

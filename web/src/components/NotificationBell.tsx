import { ActionIcon, Button, Divider, Indicator, Popover, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, must } from '../api/client';
import { fromNow } from '../lib/format';

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

/** Unread count and the latest notifications; refreshed by the event stream (query key "notifications"). */
export function NotificationBell() {
  const queryClient = useQueryClient();
  const unread = useQuery({
    queryKey: ['notifications', 'unread_count'],
    queryFn: async () => must(await api.GET('/api/v1/notifications/unread_count')),
  });
  const latest = useQuery({
    queryKey: ['notifications', 'latest'],
    queryFn: async () => must(await api.GET('/api/v1/notifications', { params: { query: { limit: 5 } } })).data,
  });
  const readAll = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/notifications/read_all')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const count = unread.data?.count ?? 0;

  return (
    <Popover width={320} position="bottom-end" withinPortal shadow="md">
      <Popover.Target>
        <ActionIcon variant="subtle" size="lg" aria-label={`Notifications, ${count} unread`}>
          <Indicator label={count} size={16} disabled={count === 0} color="red" offset={2}>
            <BellIcon />
          </Indicator>
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          {(latest.data ?? []).length === 0 && <Text size="sm" c="dimmed">No notifications yet.</Text>}
          {(latest.data ?? []).map((n) => (
            <div key={n.id}>
              <Text size="sm" fw={n.read_at ? 400 : 600}>
                {n.title}
              </Text>
              {n.body && (
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {n.body}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {fromNow(n.created_at)}
              </Text>
            </div>
          ))}
          <Divider />
          <Button.Group>
            <Button variant="light" size="xs" component={Link} to="/notifications">
              See all
            </Button>
            <Button variant="subtle" size="xs" onClick={() => readAll.mutate()} disabled={count === 0}>
              Mark all read
            </Button>
          </Button.Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

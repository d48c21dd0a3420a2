import { Alert, Card, Group, Paper, Select, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, ApiError, errorMessage, must, type Schemas } from '../api/client';

// Charts (recharts) load after the cards: the page is useful before they arrive.
const DashboardCharts = lazy(() => import('./DashboardCharts'));

export type Dashboard = Schemas['AnalyticsDashboard'];

const PRESETS = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 12 months' },
  { value: 'custom', label: 'Custom range' },
];

function isoDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

function daysAgo(days: number): string {
  const date = new Date();
  date.setDate(date.getDate() - days + 1);
  return isoDay(date);
}

const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);
const seconds = (v: number | null | undefined) => {
  if (v === null || v === undefined) return '—';
  const m = Math.floor(v / 60);
  return m ? `${m}m ${Math.round(v % 60)}s` : `${Math.round(v)}s`;
};

function Stat({ label, value, hint }: { label: string; value: string | number; hint?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} size="xl" data-stat={label}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

export default function DashboardPage() {
  const [preset, setPreset] = useState('30');
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(isoDay(new Date()));
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const range = preset === 'custom' ? { from, to } : { from: daysAgo(Number(preset)), to: isoDay(new Date()) };

  const dashboard = useQuery({
    queryKey: ['analytics', 'dashboard', range, timeZone],
    queryFn: async () => must(await api.GET('/api/v1/analytics/dashboard', { params: { query: { ...range, tz: timeZone } } })),
    placeholderData: keepPreviousData,
  });
  const d = dashboard.data;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h2">
          Dashboard
        </Title>
        <Group align="flex-end" gap="xs">
          <Select label="Period" data={PRESETS} value={preset} onChange={(v) => setPreset(v ?? '30')} allowDeselect={false} w={160} />
          {preset === 'custom' && (
            <>
              <TextInput label="From" type="date" value={from} max={to} onChange={(e) => setFrom(e.currentTarget.value)} />
              <TextInput label="To" type="date" value={to} min={from} onChange={(e) => setTo(e.currentTarget.value)} />
            </>
          )}
        </Group>
      </Group>

      {dashboard.isError &&
        (dashboard.error instanceof ApiError && dashboard.error.status === 404 ? (
          <Alert color="gray">The analytics API is not available on this server yet.</Alert>
        ) : (
          <Alert color="red">{errorMessage(dashboard.error)}</Alert>
        ))}

      {!d && dashboard.isPending && <Skeleton h={200} />}
      {d && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} aria-label="Key figures">
            <Stat label="New leads" value={d.summary.leads.new} />
            <Stat label="Qualified" value={d.summary.leads.qualified} />
            <Stat label="P1 leads" value={d.summary.leads.p1} />
            <Stat label="Conversion" value={percent(d.summary.leads.conversion_rate)} hint={`${d.summary.leads.won} won`} />
            <Stat label="Calls" value={d.summary.calls.total} hint={`avg ${seconds(d.summary.calls.average_duration_seconds)}`} />
            <Stat label="Positive sentiment" value={percent(d.summary.calls.positive_sentiment_share)} hint={`${d.summary.calls.scored} scored calls`} />
            <Stat label="Emails opened" value={percent(d.summary.email.open_rate)} hint={`${d.summary.email.sent} emails sent`} />
            <Stat label="Emails clicked" value={percent(d.summary.email.click_rate)} />
            <Stat label="Emails bounced" value={percent(d.summary.email.bounce_rate)} />
          </SimpleGrid>
          <Suspense fallback={<Skeleton h={300} />}>
            <DashboardCharts dashboard={d} />
          </Suspense>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Team performance
            </Title>
            <Table.ScrollContainer minWidth={700}>
              <Table striped aria-label="Team performance">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Owner</Table.Th>
                    <Table.Th ta="right">Leads</Table.Th>
                    <Table.Th ta="right">Qualified</Table.Th>
                    <Table.Th ta="right">P1</Table.Th>
                    <Table.Th ta="right">Won</Table.Th>
                    <Table.Th ta="right">Conversion</Table.Th>
                    <Table.Th ta="right">Calls</Table.Th>
                    <Table.Th ta="right">Avg call</Table.Th>
                    <Table.Th ta="right">Positive</Table.Th>
                    <Table.Th ta="right">Meetings</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.agents.map((a) => (
                    <Table.Tr key={a.user_id ?? 'pool'}>
                      <Table.Td>
                        {a.name ?? 'Unassigned'}
                        {a.is_ai ? ' (AI)' : ''}
                      </Table.Td>
                      <Table.Td ta="right">{a.leads}</Table.Td>
                      <Table.Td ta="right">{a.qualified}</Table.Td>
                      <Table.Td ta="right">{a.p1}</Table.Td>
                      <Table.Td ta="right">{a.won}</Table.Td>
                      <Table.Td ta="right">{percent(a.conversion_rate)}</Table.Td>
                      <Table.Td ta="right">{a.calls}</Table.Td>
                      <Table.Td ta="right">{seconds(a.average_call_duration_seconds)}</Table.Td>
                      <Table.Td ta="right">{percent(a.positive_sentiment_share)}</Table.Td>
                      <Table.Td ta="right">{a.meetings}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        </>
      )}
    </Stack>
  );
}

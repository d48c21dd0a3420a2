import { Anchor, Badge, Button, Drawer, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, must, type Schemas } from '../api/client';
import { dateTime, humanize } from '../lib/format';
import { useUserNames, useUsers } from '../lib/queries';

type Call = Schemas['Call'];

const TYPES = ['ai_voice', 'ai_chat', 'ai_sms', 'manual', 'outbound'].map((t) => ({ value: t, label: humanize(t) }));

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  return `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
}

function Sentiment({ score }: { score: number | null }) {
  if (score === null) return <Text size="sm" c="dimmed">—</Text>;
  const color = score >= 0.15 ? 'teal' : score <= -0.15 ? 'red' : 'gray';
  return (
    <Badge variant="light" color={color}>
      {score >= 0.15 ? 'positive' : score <= -0.15 ? 'negative' : 'neutral'} {score.toFixed(2)}
    </Badge>
  );
}

/** Calls and chats, searchable in their transcripts; a drawer shows one in full. */
export default function CallsPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [type, setType] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [agent, setAgent] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const users = useUsers();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [open, setOpen] = useState<Call | null>(null);
  const userName = useUserNames();
  const cursor = cursors[cursors.length - 1];
  const calls = useQuery({
    queryKey: ['calls', 'list', q, type, outcome, agent, from, to, cursor],
    queryFn: async () =>
      must(
        await api.GET('/api/v1/calls', {
          params: {
            query: {
              q: q || undefined,
              call_type: type ?? undefined,
              outcome: outcome ?? undefined,
              user_id: agent ?? undefined,
              call_start_time_from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
              // The "to" day is included.
              call_start_time_to: to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined,
              sort: '-call_start_time',
              limit: 25,
              cursor,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const rows = calls.data?.data ?? [];

  return (
    <Stack>
      <Title order={1} size="h2">
        Calls
      </Title>
      <Paper withBorder p="sm">
        <Group align="flex-end" role="search">
          <TextInput
            label="Search transcripts"
            placeholder="Words said in the call, its summary or notes"
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setCursors([undefined]);
            }}
            style={{ flex: 1 }}
          />
          <Select
            label="Type"
            data={TYPES}
            value={type}
            onChange={(v) => {
              setType(v);
              setCursors([undefined]);
            }}
            clearable
            w={160}
          />
          <Select
            label="Outcome"
            data={['completed', 'qualified', 'not_interested', 'callback_requested', 'voicemail', 'busy', 'no-answer', 'failed', 'canceled', 'abandoned'].map((o) => ({ value: o, label: humanize(o) }))}
            value={outcome}
            onChange={(v) => {
              setOutcome(v);
              setCursors([undefined]);
            }}
            clearable
            w={170}
          />
          <Select
            label="Agent"
            data={(users.data ?? []).map((u) => ({ value: u.id, label: u.full_name }))}
            value={agent}
            onChange={(v) => {
              setAgent(v);
              setCursors([undefined]);
            }}
            clearable
            searchable
            w={170}
          />
          <TextInput label="From" type="date" value={from} onChange={(e) => { setFrom(e.currentTarget.value); setCursors([undefined]); }} w={150} />
          <TextInput label="To" type="date" value={to} onChange={(e) => { setTo(e.currentTarget.value); setCursors([undefined]); }} w={150} />
        </Group>
      </Paper>
      <Paper withBorder>
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover aria-label="Calls">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Summary</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Sentiment</Table.Th>
                <Table.Th>Agent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((call) => (
                <Table.Tr key={call.id}>
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" onClick={() => setOpen(call)}>
                      {dateTime(call.call_start_time)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {humanize(call.call_type)} · {call.direction}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2}>
                      {call.summary ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{humanize(call.outcome)}</Table.Td>
                  <Table.Td>{duration(call.duration_seconds)}</Table.Td>
                  <Table.Td>
                    <Sentiment score={call.sentiment_score} />
                  </Table.Td>
                  <Table.Td>{userName(call.user_id)}</Table.Td>
                </Table.Tr>
              ))}
              {rows.length === 0 && !calls.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text c="dimmed" ta="center" py="lg">
                      No calls match.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Group justify="flex-end" gap="xs">
        <Button variant="default" size="xs" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </Button>
        <Button variant="default" size="xs" disabled={!calls.data?.next_cursor} onClick={() => setCursors((c) => [...c, calls.data?.next_cursor ?? undefined])}>
          Next
        </Button>
      </Group>
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title={open ? `${humanize(open.call_type)} on ${dateTime(open.call_start_time)}` : ''}>
        {open && (
          <Stack>
            <Group gap="xs">
              <Badge>{humanize(open.outcome)}</Badge>
              <Sentiment score={open.sentiment_score} />
              <Text size="sm">{duration(open.duration_seconds)}</Text>
              {open.lead_id && (
                <Anchor component={Link} to={`/leads/${open.lead_id}`} size="sm">
                  Open the lead
                </Anchor>
              )}
            </Group>
            {open.summary && <Text size="sm">{open.summary}</Text>}
            {open.notes && (
              <Text size="sm" c="dimmed">
                {open.notes}
              </Text>
            )}
            <Title order={3} size="h5">
              Transcript
            </Title>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {open.transcript ?? 'No transcript.'}
            </Text>
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}

import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorMessage, must, type Lead, type Schemas } from '../api/client';
import { BucketBadge } from '../components/LeadBadges';
import { LeadForm } from '../components/LeadForm';
import { useAbilities } from '../lib/auth';
import { currency, date, dateTime, fromNow, humanize, leadName } from '../lib/format';
import { useStages, useUserNames } from '../lib/queries';

interface BreakdownItem {
  rule_id?: string;
  rule?: string;
  category?: string;
  points?: number;
  evidence?: string | null;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children || '—'}
      </Text>
    </div>
  );
}

/** The score and, line by line, the rules that gave or took its points. */
function ScoreCard({ lead }: { lead: Lead }) {
  const items = lead.score_breakdown as BreakdownItem[];
  const color = lead.lead_score >= 70 ? 'red' : lead.lead_score >= 40 ? 'orange' : 'gray';
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          Score
        </Title>
        <Group gap="xs">
          <Text fw={700} size="xl" aria-label={`Lead score ${lead.lead_score} of 100`}>
            {lead.lead_score}
          </Text>
          <BucketBadge bucket={lead.status_bucket} />
        </Group>
      </Group>
      <Progress value={lead.lead_score} color={color} size="lg" aria-label="Lead score" mb="sm" />
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No scoring rule has fired yet.
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm" aria-label="Score breakdown">
          <Table.Tbody>
            {items.map((item, index) => (
              <Table.Tr key={`${item.rule_id ?? item.rule}-${index}`}>
                <Table.Td>
                  {item.rule ?? item.rule_id}
                  {item.category && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      · {item.category}
                    </Text>
                  )}
                  {item.evidence && (
                    <Text size="xs" c="dimmed" fs="italic">
                      “{item.evidence}”
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right" c={(item.points ?? 0) < 0 ? 'red' : 'teal'} fw={600}>
                  {(item.points ?? 0) > 0 ? '+' : ''}
                  {item.points}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function BantCard({ lead }: { lead: Lead }) {
  const budget =
    lead.budget_amount !== null
      ? `${lead.budget_amount.toLocaleString()} ${lead.budget_currency ?? 'USD'}`
      : lead.budget;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        BANT
      </Title>
      <SimpleGrid cols={2}>
        <Field label="Budget">{budget}</Field>
        <Field label="Authority">{humanize(lead.authority)}</Field>
        <Field label="Need">{lead.need}</Field>
        <Field label="Timeline">{humanize(lead.timeline)}</Field>
      </SimpleGrid>
      {lead.conversation_summary && (
        <Text size="sm" mt="sm">
          {lead.conversation_summary}
        </Text>
      )}
    </Card>
  );
}

type RoiCalculation = Schemas['RoiCalculation'];
type Conversation = Schemas['Conversation'];

/** A calculator figure as a person reads it: numbers grouped, objects as JSON. */
function figure(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString();
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A calculator's key as a label: "roi_percent" -> "ROI percent". */
function figureLabel(key: string): string {
  return humanize(key).replace(/\broi\b/gi, 'ROI');
}

function FiguresTable({ label, values }: { label: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <Text size="sm" c="dimmed">No {label.toLowerCase()}.</Text>;
  return (
    <Table fz="sm" verticalSpacing={4} aria-label={label}>
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Td>{figureLabel(key)}</Table.Td>
            <Table.Td ta="right" fw={500}>
              {figure(value)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RoiDetails({ calculation }: { calculation: RoiCalculation }) {
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {dateTime(calculation.created_at)}
        {calculation.time_on_calculator !== null && ` · ${calculation.time_on_calculator} s on the calculator`}
        {calculation.adjustments_count !== null && ` · ${calculation.adjustments_count} adjustments`}
        {calculation.report_sent_at && ` · report emailed ${fromNow(calculation.report_sent_at)}`}
      </Text>
      <Title order={3} size="h5">
        Results
      </Title>
      <FiguresTable label="Results" values={calculation.results} />
      <Title order={3} size="h5">
        Inputs
      </Title>
      <FiguresTable label="Inputs" values={calculation.inputs} />
    </Stack>
  );
}

function Transcript({ conversation }: { conversation: Conversation }) {
  const messages = conversation.messages as { role?: string; text?: string; at?: string }[];
  if (messages.length === 0) return <Text size="sm" c="dimmed">No messages.</Text>;
  return (
    <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Messages">
      {messages.map((m, index) => (
        <Box component="li" key={index}>
          <Text size="xs" fw={600} c={m.role === 'assistant' ? 'var(--clara-brand)' : undefined}>
            {m.role === 'assistant' ? 'Clara' : m.role === 'user' ? 'Lead' : humanize(m.role)}
            {m.at && (
              <Text span size="xs" c="dimmed" fw={400}>
                {' '}
                · {dateTime(m.at)}
              </Text>
            )}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {m.text}
          </Text>
        </Box>
      ))}
    </Stack>
  );
}

const CHANNEL_LABEL: Record<Conversation['channel'], string> = { web: 'Chat', sms: 'SMS', voice: 'Voice', email: 'Email' };

/**
 * The records that brought or followed the lead: its ROI calculation and its chat and voice
 * sessions, each a card that opens its content.
 */
function LinkedRecords({ lead }: { lead: Lead }) {
  const [open, setOpen] = useState<{ kind: 'roi' } | { kind: 'session'; id: string } | null>(null);
  const roi = useQuery({
    queryKey: ['roi_calculations', lead.roi_calculation_id],
    queryFn: async () =>
      must(await api.GET('/api/v1/roi_calculations/{id}', { params: { path: { id: lead.roi_calculation_id as string } } })),
    enabled: Boolean(lead.roi_calculation_id),
  });
  const sessions = useQuery({
    queryKey: ['conversations', { lead_id: lead.id }],
    queryFn: async () =>
      must(await api.GET('/api/v1/conversations', { params: { query: { lead_id: lead.id, sort: '-created_at', limit: 50 } } })).data,
  });
  // The session that brought the lead may belong to no lead yet in its own row: read it by id.
  const linkedSession = useQuery({
    queryKey: ['conversations', lead.voice_session_id],
    queryFn: async () => must(await api.GET('/api/v1/conversations/{id}', { params: { path: { id: lead.voice_session_id as string } } })),
    enabled: Boolean(lead.voice_session_id) && sessions.isSuccess && !sessions.data.some((c) => c.id === lead.voice_session_id),
  });
  const all = [...(linkedSession.data ? [linkedSession.data] : []), ...(sessions.data ?? [])];
  const current = open?.kind === 'session' ? all.find((c) => c.id === open.id) : undefined;
  const headline = roi.data ? Object.entries(roi.data.results).slice(0, 2) : [];
  return (
    <Card withBorder component="section" aria-labelledby="linked-records">
      <Title order={2} size="h4" mb="sm" id="linked-records">
        Linked records
      </Title>
      <Stack gap="xs">
        {roi.data && (
          <Paper withBorder p="xs" data-linked="roi">
            <Group justify="space-between" wrap="nowrap">
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={500}>
                  ROI calculation
                </Text>
                <Text size="xs" c="dimmed">
                  {headline.map(([key, value]) => `${figureLabel(key)} ${figure(value)}`).join(' · ') || date(roi.data.created_at)}
                </Text>
              </div>
              <Button size="compact-xs" variant="light" aria-label="Open ROI calculation" onClick={() => setOpen({ kind: 'roi' })}>
                Open
              </Button>
            </Group>
          </Paper>
        )}
        {all.map((c) => (
          <Paper key={c.id} withBorder p="xs" data-linked="session">
            <Group justify="space-between" wrap="nowrap">
              <div style={{ minWidth: 0 }}>
                <Group gap={6}>
                  <Text size="sm" fw={500}>
                    {CHANNEL_LABEL[c.channel]} session
                  </Text>
                  {c.id === lead.voice_session_id && <Badge size="xs">brought the lead</Badge>}
                  <Badge size="xs" variant="light" color={c.status === 'active' ? 'teal' : 'gray'}>
                    {c.status}
                  </Badge>
                </Group>
                <Text size="xs" c="dimmed">
                  {dateTime(c.created_at)} · {c.messages.length} messages
                </Text>
              </div>
              <Button
                size="compact-xs"
                variant="light"
                aria-label={`Open ${CHANNEL_LABEL[c.channel].toLowerCase()} session of ${dateTime(c.created_at)}`}
                onClick={() => setOpen({ kind: 'session', id: c.id })}
              >
                Open
              </Button>
            </Group>
          </Paper>
        ))}
        {!lead.roi_calculation_id && sessions.isSuccess && all.length === 0 && (
          <Text size="sm" c="dimmed">
            No ROI calculation or chat session.
          </Text>
        )}
        {roi.isError && <Text size="sm" c="red">{errorMessage(roi.error)}</Text>}
      </Stack>
      <Modal opened={open?.kind === 'roi'} onClose={() => setOpen(null)} title="ROI calculation" size="lg">
        {roi.data && <RoiDetails calculation={roi.data} />}
      </Modal>
      <Modal
        opened={open?.kind === 'session'}
        onClose={() => setOpen(null)}
        title={current ? `${CHANNEL_LABEL[current.channel]} session · ${dateTime(current.created_at)}` : 'Session'}
        size="lg"
      >
        {current && <Transcript conversation={current} />}
      </Modal>
    </Card>
  );
}

type Activity = Schemas['Activity'];

/** The stages the database trigger records on a stage change (app.lead_timeline, migration 002). */
interface StageChangeMetadata {
  from_stage?: string | null;
  to_stage?: string | null;
}

/** A stage change reads as a step of the deal: from -> to, who moved it, when. */
function StageChange({ activity, by }: { activity: Activity; by: string }) {
  const meta = (activity.metadata ?? {}) as StageChangeMetadata;
  const from = meta.from_stage ?? 'No stage';
  const to = meta.to_stage ?? 'No stage';
  return (
    <Timeline.Item
      bullet={<span aria-hidden="true">→</span>}
      title={
        <Group gap={6} wrap="wrap" component="span">
          <Text span size="sm" fw={500}>
            Stage
          </Text>
          <Badge variant="outline" color="gray" size="sm" tt="none" component="span">
            {from}
          </Badge>
          <Text span size="sm" aria-hidden="true">
            →
          </Text>
          <VisuallyHidden component="span">to</VisuallyHidden>
          <Badge variant="light" size="sm" tt="none" component="span">
            {to}
          </Badge>
        </Group>
      }
      data-stage-change={`${from} -> ${to}`}
    >
      <Text size="xs" c="dimmed" title={activity.created_at}>
        {by}
      </Text>
    </Timeline.Item>
  );
}

/** "by Ann Agent · 3 hours ago"; a change made by no one signed in says it was the system. */
function whoAndWhen(a: Activity, userName: (id: string) => string): string {
  return `by ${a.created_by ? userName(a.created_by) : 'the system'} · ${fromNow(a.created_at)}`;
}

function ActivityTimeline({ leadId }: { leadId: string }) {
  const userName = useUserNames();
  const activities = useQuery({
    queryKey: ['activities', { lead_id: leadId }],
    queryFn: async () =>
      must(await api.GET('/api/v1/activities', { params: { query: { lead_id: leadId, sort: '-created_at', limit: 100 } } })).data,
  });
  const calls = useQuery({
    queryKey: ['calls', { lead_id: leadId }],
    queryFn: async () =>
      must(await api.GET('/api/v1/calls', { params: { query: { lead_id: leadId, limit: 50 } } })).data,
  });
  return (
    <Stack>
      {(calls.data ?? []).length > 0 && (
        <Accordion variant="contained" aria-label="Calls">
          {(calls.data ?? []).map((call) => (
            <Accordion.Item key={call.id} value={call.id}>
              <Accordion.Control>
                <Group gap="xs">
                  <Text size="sm" fw={500}>
                    {humanize(call.call_type)} · {dateTime(call.call_start_time)}
                  </Text>
                  {call.outcome && <Badge size="xs">{humanize(call.outcome)}</Badge>}
                  {call.sentiment_score !== null && (
                    <Badge size="xs" color={call.sentiment_score > 0.2 ? 'teal' : call.sentiment_score < -0.2 ? 'red' : 'gray'}>
                      sentiment {call.sentiment_score.toFixed(2)}
                    </Badge>
                  )}
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                {call.summary && <Text size="sm" mb="xs">{call.summary}</Text>}
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
                  {call.transcript ?? 'No transcript.'}
                </Text>
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
      {(activities.data ?? []).length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing has happened on this lead yet.
        </Text>
      ) : (
        <Timeline bulletSize={14} lineWidth={2} aria-label="Activity timeline">
          {(activities.data ?? []).map((a) =>
            a.activity_type === 'stage_changed' ? (
              <StageChange key={a.id} activity={a} by={whoAndWhen(a, userName)} />
            ) : (
              <Timeline.Item key={a.id} title={a.subject ?? humanize(a.activity_type)}>
                {a.description && (
                  <Text size="sm" c="dimmed" lineClamp={3}>
                    {a.description}
                  </Text>
                )}
                <Text size="xs" c="dimmed" title={a.created_at}>
                  {humanize(a.activity_type)} · {whoAndWhen(a, userName)}
                </Text>
              </Timeline.Item>
            ),
          )}
        </Timeline>
      )}
    </Stack>
  );
}

function NotesPanel({ leadId, canEdit }: { leadId: string; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const notes = useQuery({
    queryKey: ['notes', { lead_id: leadId }],
    queryFn: async () => must(await api.GET('/api/v1/notes', { params: { query: { lead_id: leadId, limit: 100 } } })).data,
  });
  const add = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/notes', { body: { lead_id: leadId, body: body.trim() } })),
    onSuccess: () => {
      setBody('');
      void queryClient.invalidateQueries({ queryKey: ['notes'] });
      void queryClient.invalidateQueries({ queryKey: ['activities'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  return (
    <Stack>
      {canEdit && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (body.trim()) add.mutate();
          }}
        >
          <Stack gap="xs">
            <Textarea label="Add a note" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} />
            <Group justify="flex-end">
              <Button type="submit" size="xs" loading={add.isPending} disabled={!body.trim()}>
                Add note
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {(notes.data ?? []).map((note) => (
        <Card key={note.id} withBorder padding="sm">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {note.body}
          </Text>
          <Text size="xs" c="dimmed">
            {fromNow(note.created_at)}
          </Text>
        </Card>
      ))}
      {notes.data?.length === 0 && <Text size="sm" c="dimmed">No notes.</Text>}
    </Stack>
  );
}

function toIso(local: string): string {
  return new Date(local).toISOString();
}

function FollowUpsPanel({ leadId, canEdit }: { leadId: string; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [due, setDue] = useState('');
  const [notes, setNotes] = useState('');
  const followUps = useQuery({
    queryKey: ['follow_ups', { lead_id: leadId }],
    queryFn: async () => must(await api.GET('/api/v1/follow_ups', { params: { query: { lead_id: leadId, limit: 100 } } })).data,
  });
  const add = useMutation({
    mutationFn: async () =>
      must(await api.POST('/api/v1/follow_ups', { body: { lead_id: leadId, due_date: toIso(due), notes: notes.trim() || null } })),
    onSuccess: () => {
      setDue('');
      setNotes('');
      void queryClient.invalidateQueries({ queryKey: ['follow_ups'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  const complete = useMutation({
    mutationFn: async (id: string) => must(await api.POST('/api/v1/follow_ups/{id}/complete', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['follow_ups'] }),
  });
  return (
    <Stack>
      {canEdit && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (due) add.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput label="Follow up on" type="datetime-local" value={due} onChange={(e) => setDue(e.currentTarget.value)} required />
            <TextInput label="What to do" value={notes} onChange={(e) => setNotes(e.currentTarget.value)} style={{ flex: 1 }} />
            <Button type="submit" size="sm" loading={add.isPending} disabled={!due}>
              Add follow-up
            </Button>
          </Group>
        </form>
      )}
      <Table fz="sm" aria-label="Follow-ups">
        <Table.Tbody>
          {(followUps.data ?? []).map((f) => (
            <Table.Tr key={f.id}>
              <Table.Td>{dateTime(f.due_date)}</Table.Td>
              <Table.Td>
                {f.notes ?? f.ai_recommendation ?? '—'} {f.suggested_by_ai && <Badge size="xs">suggested by Clara</Badge>}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={f.status === 'Completed' ? 'teal' : 'blue'}>
                  {f.status}
                </Badge>
              </Table.Td>
              <Table.Td ta="right">
                {canEdit && f.status === 'Pending' && (
                  <Button size="compact-xs" variant="light" onClick={() => complete.mutate(f.id)}>
                    Complete
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {followUps.data?.length === 0 && <Text size="sm" c="dimmed">No follow-ups.</Text>}
    </Stack>
  );
}

/** Emails sent to the lead with their opens and clicks (the email channel's API; hidden where it is absent). */
function EmailsPanel({ leadId }: { leadId: string }) {
  const emails = useQuery({
    queryKey: ['email_messages', { lead_id: leadId }],
    queryFn: async () => must(await api.GET('/api/v1/leads/{id}/emails', { params: { path: { id: leadId } } })).data,
    retry: false,
  });
  if (emails.isError) return <Text size="sm" c="dimmed">Emails are not available on this server.</Text>;
  return (
    <Stack>
      <Table fz="sm" aria-label="Emails">
        <Table.Tbody>
          {(emails.data ?? []).map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{dateTime(e.sent_at ?? e.created_at)}</Table.Td>
              <Table.Td>
                {e.subject}
                {e.error && (
                  <Text size="xs" c="red">
                    {e.error}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={e.status === 'bounced' || e.status === 'failed' ? 'red' : 'blue'}>
                  {e.status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {e.open_count} opens · {e.click_count} clicks
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {emails.data?.length === 0 && <Text size="sm" c="dimmed">No emails sent.</Text>}
    </Stack>
  );
}

function TasksPanel({ lead, canEdit }: { lead: Lead; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const todos = useQuery({
    queryKey: ['todos', { lead_id: lead.id }],
    queryFn: async () => must(await api.GET('/api/v1/todos', { params: { query: { lead_id: lead.id, sort: 'due_date', limit: 100 } } })).data,
  });
  const add = useMutation({
    mutationFn: async () =>
      must(
        await api.POST('/api/v1/todos', {
          body: { lead_id: lead.id, title: title.trim(), assigned_to: lead.agent_id, due_date: due ? new Date(due).toISOString() : null },
        }),
      ),
    onSuccess: () => {
      setTitle('');
      setDue('');
      void queryClient.invalidateQueries({ queryKey: ['todos'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  const complete = useMutation({
    mutationFn: async (id: string) => must(await api.POST('/api/v1/todos/{id}/complete', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['todos'] }),
  });
  return (
    <Stack>
      {canEdit && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (title.trim()) add.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput label="Task" value={title} onChange={(e) => setTitle(e.currentTarget.value)} style={{ flex: 1 }} required />
            <TextInput label="Due" type="datetime-local" value={due} onChange={(e) => setDue(e.currentTarget.value)} />
            <Button type="submit" size="sm" loading={add.isPending} disabled={!title.trim()}>
              Add task
            </Button>
          </Group>
        </form>
      )}
      <Table fz="sm" aria-label="Tasks">
        <Table.Tbody>
          {(todos.data ?? []).map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                <Anchor component={Link} to={`/tasks/${t.id}`} size="sm" aria-label={`${t.title}: comments and attachments`}>
                  {t.title}
                </Anchor>
              </Table.Td>
              <Table.Td>{t.due_date ? dateTime(t.due_date) : '—'}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={t.status === 'done' ? 'teal' : 'blue'}>
                  {humanize(t.status)}
                </Badge>
              </Table.Td>
              <Table.Td ta="right">
                {canEdit && t.status !== 'done' && t.status !== 'cancelled' && (
                  <Button size="compact-xs" variant="light" onClick={() => complete.mutate(t.id)}>
                    Complete
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {todos.data?.length === 0 && <Text size="sm" c="dimmed">No tasks.</Text>}
    </Stack>
  );
}

function MeetingsPanel({ lead, canEdit }: { lead: Lead; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [start, setStart] = useState('');
  const [minutes, setMinutes] = useState('30');
  const meetings = useQuery({
    queryKey: ['meetings', { lead_id: lead.id }],
    queryFn: async () =>
      must(await api.GET('/api/v1/meetings', { params: { query: { lead_id: lead.id, sort: '-start_time', limit: 100 } } })).data,
  });
  const add = useMutation({
    mutationFn: async () => {
      const startsAt = new Date(start);
      const endsAt = new Date(startsAt.getTime() + Number(minutes) * 60_000);
      return must(
        await api.POST('/api/v1/meetings', {
          body: {
            lead_id: lead.id,
            agent_id: lead.agent_id,
            title: `Demo with ${leadName(lead)}`,
            start_time: startsAt.toISOString(),
            end_time: endsAt.toISOString(),
          },
        }),
      );
    },
    onSuccess: () => {
      setStart('');
      void queryClient.invalidateQueries({ queryKey: ['meetings'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  return (
    <Stack>
      {canEdit && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (start) add.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput label="Meeting starts" type="datetime-local" value={start} onChange={(e) => setStart(e.currentTarget.value)} required />
            <Select label="Length" data={['15', '30', '45', '60']} value={minutes} onChange={(v) => setMinutes(v ?? '30')} w={100} allowDeselect={false} />
            <Button type="submit" size="sm" loading={add.isPending} disabled={!start}>
              Schedule meeting
            </Button>
          </Group>
        </form>
      )}
      <Table fz="sm" aria-label="Meetings">
        <Table.Tbody>
          {(meetings.data ?? []).map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>{dateTime(m.start_time)}</Table.Td>
              <Table.Td>
                {m.title} {m.scheduled_by_ai && <Badge size="xs">booked by Clara</Badge>}
              </Table.Td>
              <Table.Td>
                <Badge variant="light">{m.status}</Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {meetings.data?.length === 0 && <Text size="sm" c="dimmed">No meetings.</Text>}
      <Anchor component={Link} to="/calendar" size="sm">
        Open the calendar
      </Anchor>
    </Stack>
  );
}

export default function LeadDetailPage() {
  const { id = '' } = useParams();
  const { canEdit } = useAbilities();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const stages = useStages();
  const userName = useUserNames();
  const [editing, setEditing] = useState(false);
  const [converting, setConverting] = useState(false);
  const [createContact, setCreateContact] = useState(true);

  const lead = useQuery({
    queryKey: ['leads', id],
    queryFn: async () => must(await api.GET('/api/v1/leads/{id}', { params: { path: { id } } })),
  });
  const patch = useMutation({
    mutationFn: async (body: Schemas['LeadUpdateInput']) =>
      must(await api.PATCH('/api/v1/leads/{id}', { params: { path: { id } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(['leads', id], updated);
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
      void queryClient.invalidateQueries({ queryKey: ['activities'] });
      setEditing(false);
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  const convert = useMutation({
    mutationFn: async () =>
      must(await api.POST('/api/v1/leads/{id}/convert', { params: { path: { id } }, body: { create_contact: createContact } })),
    onSuccess: (result) => {
      setConverting(false);
      notifications.show({ color: 'teal', title: 'Converted', message: `Opportunity “${result.opportunity.name}” created` });
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
  });
  const remove = useMutation({
    mutationFn: async () => must(await api.DELETE('/api/v1/leads/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      notifications.show({ message: 'Lead moved to the trash' });
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
      void navigate('/leads');
    },
  });

  const restore = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/leads/{id}/restore', { params: { path: { id } } })),
    onSuccess: (restored) => {
      queryClient.setQueryData(['leads', id], restored);
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });

  // Click-to-call: Twilio rings the lead and Clara talks; the call then shows on the timeline.
  const call = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/calls/outbound', { body: { lead_id: id } })),
    onSuccess: (placed) => {
      notifications.show({ color: 'teal', title: 'Calling', message: `Clara is calling ${lead.data?.phone ?? 'the lead'} (${placed.status})` });
      void queryClient.invalidateQueries({ queryKey: ['calls'] });
    },
  });

  if (lead.isPending) return <Text c="dimmed">Loading…</Text>;
  if (lead.isError) return <Alert color="red">{errorMessage(lead.error)}</Alert>;
  const l = lead.data;

  return (
    <Stack>
      <Anchor component={Link} to="/leads" size="sm">
        ← All leads
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="xs">
            <Title order={1} size="h2">
              {leadName(l)}
            </Title>
            <BucketBadge bucket={l.status_bucket} />
            <Badge variant="outline">{humanize(l.qualification_status)}</Badge>
            {l.deleted_at && <Badge color="red">In the trash</Badge>}
          </Group>
          <Text c="dimmed" size="sm">
            {[l.company_name, l.email, l.phone].filter(Boolean).join(' · ') || 'No contact details'}
          </Text>
        </div>
        {canEdit && (
          <Group>
            <Select
              aria-label="Pipeline stage"
              placeholder="Move to stage"
              data={(stages.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={l.pipeline_stage_id}
              onChange={(value) => value && patch.mutate({ pipeline_stage_id: value })}
              allowDeselect={false}
              w={180}
            />
            <Button onClick={() => call.mutate()} loading={call.isPending} disabled={Boolean(l.deleted_at)}>
              Call
            </Button>
            <Button variant="default" onClick={() => setEditing(true)}>
              Edit
            </Button>
            <Button variant="light" onClick={() => setConverting(true)} disabled={Boolean(l.converted_at)}>
              {l.converted_at ? 'Converted' : 'Convert'}
            </Button>
            {l.deleted_at ? (
              <Button variant="light" onClick={() => restore.mutate()} loading={restore.isPending}>
                Restore
              </Button>
            ) : (
              <Button variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
                Delete
              </Button>
            )}
          </Group>
        )}
      </Group>

      {call.isError && (
        <Alert color="red" title="Could not place the call" withCloseButton closeButtonLabel="Dismiss" onClose={() => call.reset()}>
          {errorMessage(call.error)}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                Details
              </Title>
              <SimpleGrid cols={2}>
                <Field label="Owner">{userName(l.agent_id)}</Field>
                <Field label="Stage">{stages.data?.find((s) => s.id === l.pipeline_stage_id)?.name}</Field>
                <Field label="Deal value">{currency(l.deal_value)}</Field>
                <Field label="Expected close">{date(l.expected_close_date)}</Field>
                <Field label="Source">{l.lead_source}</Field>
                <Field label="Industry">{l.industry}</Field>
                <Field label="City">{l.city}</Field>
                <Field label="Last touch">{fromNow(l.last_touch_date)}</Field>
              </SimpleGrid>
              {l.next_step && (
                <Box mt="sm">
                  <Field label="Next step">{l.next_step}</Field>
                </Box>
              )}
              {l.notes && (
                <Text size="sm" mt="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {l.notes}
                </Text>
              )}
            </Card>
            <ScoreCard lead={l} />
            <BantCard lead={l} />
            <LinkedRecords lead={l} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder>
            <Tabs defaultValue="timeline" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
                <Tabs.Tab value="notes">Notes</Tabs.Tab>
                <Tabs.Tab value="follow-ups">Follow-ups</Tabs.Tab>
                <Tabs.Tab value="meetings">Meetings</Tabs.Tab>
                <Tabs.Tab value="tasks">Tasks</Tabs.Tab>
                <Tabs.Tab value="emails">Emails</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="timeline" pt="md">
                <ActivityTimeline leadId={l.id} />
              </Tabs.Panel>
              <Tabs.Panel value="notes" pt="md">
                <NotesPanel leadId={l.id} canEdit={canEdit} />
              </Tabs.Panel>
              <Tabs.Panel value="follow-ups" pt="md">
                <FollowUpsPanel leadId={l.id} canEdit={canEdit} />
              </Tabs.Panel>
              <Tabs.Panel value="meetings" pt="md">
                <MeetingsPanel lead={l} canEdit={canEdit} />
              </Tabs.Panel>
              <Tabs.Panel value="tasks" pt="md">
                <TasksPanel lead={l} canEdit={canEdit} />
              </Tabs.Panel>
              <Tabs.Panel value="emails" pt="md">
                <EmailsPanel leadId={l.id} />
              </Tabs.Panel>
            </Tabs>
          </Card>
        </Grid.Col>
      </Grid>

      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit lead" size="lg">
        <LeadForm lead={l} submitting={patch.isPending} onCancel={() => setEditing(false)} onSubmit={(input) => patch.mutate(input)} />
      </Modal>
      <Modal opened={converting} onClose={() => setConverting(false)} title="Convert to an opportunity">
        <Stack>
          <Text size="sm">
            Creates a client{createContact ? ', a contact' : ''} and an opportunity of {currency(l.deal_value ?? l.budget_amount)} from this lead.
          </Text>
          <Switch label="Also create a contact" checked={createContact} onChange={(e) => setCreateContact(e.currentTarget.checked)} />
          {convert.isError && <Alert color="red">{errorMessage(convert.error)}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConverting(false)}>
              Cancel
            </Button>
            <Button onClick={() => convert.mutate()} loading={convert.isPending}>
              Convert
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

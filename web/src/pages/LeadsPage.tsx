import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  Menu,
  Modal,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage, must, type Lead, type Schemas } from '../api/client';
import type { paths } from '../api/schema';
import { BucketBadge, ScoreMeter } from '../components/LeadBadges';
import { ImportLeads } from '../components/ImportLeads';
import { LeadForm, type LeadInput } from '../components/LeadForm';
import { useAbilities } from '../lib/auth';
import { currency, fromNow, leadName } from '../lib/format';
import { useStages, useUserNames, useUsers } from '../lib/queries';

type LeadSort = NonNullable<NonNullable<paths['/api/v1/leads']['get']['parameters']['query']>['sort']>;

const SORTS: { value: LeadSort; label: string }[] = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: '-lead_score', label: 'Highest score' },
  { value: '-deal_value', label: 'Largest deal' },
  { value: '-last_touch_date', label: 'Recently touched' },
  { value: 'contact_person', label: 'Name A-Z' },
  { value: 'company_name', label: 'Company A-Z' },
];
const PAGE_SIZE = 25;

function dayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export default function LeadsPage() {
  const { canEdit } = useAbilities();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [debouncedSearch] = useDebouncedValue(search, 250);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<string[]>([]);
  const [editing, setEditing] = useState<Lead | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Lead | null>(null);
  const [importing, setImporting] = useState(false);
  const stages = useStages();
  const users = useUsers();
  const userName = useUserNames();

  const filters = useMemo(
    () => ({
      q: params.get('q') || undefined,
      status_bucket: params.get('bucket') || undefined,
      pipeline_stage_id: params.get('stage') || undefined,
      agent_id: params.get('owner') || undefined,
      lead_source: params.get('source') || undefined,
      created_at_from: params.get('from') || undefined,
      // The "to" day is included: the API's bound is exclusive.
      created_at_to: params.get('to') ? dayAfter(params.get('to') as string) : undefined,
      deleted: params.get('trash') ? ('only' as const) : undefined,
      sort: (params.get('sort') as LeadSort | null) ?? '-created_at',
    }),
    [params],
  );
  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  // The search box writes the URL once typing pauses; every filter change starts from page one.
  useEffect(() => {
    if ((params.get('q') ?? '') !== debouncedSearch.trim()) setFilter('q', debouncedSearch.trim() || null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedSearch]);
  useEffect(() => {
    setCursors([undefined]);
    setSelected([]);
  }, [filters]);

  const cursor = cursors[cursors.length - 1];
  const leads = useQuery({
    queryKey: ['leads', 'list', filters, cursor],
    queryFn: async () => must(await api.GET('/api/v1/leads', { params: { query: { ...filters, limit: PAGE_SIZE, cursor } } })),
    placeholderData: keepPreviousData,
  });

  const save = useMutation({
    mutationFn: async ({ lead, input }: { lead: Lead | null; input: LeadInput }) =>
      lead
        ? must(await api.PATCH('/api/v1/leads/{id}', { params: { path: { id: lead.id } }, body: input }))
        : must(await api.POST('/api/v1/leads', { body: input })),
    onSuccess: (lead, { lead: before }) => {
      notifications.show({ color: 'teal', message: before ? `Saved ${leadName(lead)}` : `Created ${leadName(lead)}` });
      setEditing(null);
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
  });
  const remove = useMutation({
    mutationFn: async (lead: Lead) => must(await api.DELETE('/api/v1/leads/{id}', { params: { path: { id: lead.id } } })),
    onSuccess: (_data, lead) => {
      notifications.show({ message: `Deleted ${leadName(lead)}` });
      setDeleting(null);
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
  });
  const restore = useMutation({
    mutationFn: async (lead: Lead) => must(await api.POST('/api/v1/leads/{id}/restore', { params: { path: { id: lead.id } } })),
    onSuccess: (lead) => {
      notifications.show({ color: 'teal', message: `Restored ${leadName(lead)}` });
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  const bulk = useMutation({
    mutationFn: async (body: Schemas['LeadBulkActionInput']) =>
      must(await api.POST('/api/v1/leads/bulk', { body })),
    onSuccess: (result) => {
      notifications.show({ message: `${result.updated} leads updated` });
      setSelected([]);
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });

  const rows = leads.data?.data ?? [];
  const stageName = (id: string | null) => stages.data?.find((s) => s.id === id)?.name ?? '—';
  const exportQuery = new URLSearchParams(
    Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])),
  ).toString();
  const allSelected = rows.length > 0 && rows.every((r) => selected.includes(r.id));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Leads
        </Title>
        <Group>
          <Button variant="default" component="a" href={`/api/v1/leads/export.csv?${exportQuery}`} download>
            Export CSV
          </Button>
          {canEdit && (
            <Button variant="default" onClick={() => setImporting(true)}>
              Import CSV
            </Button>
          )}
          {canEdit && <Button onClick={() => setEditing('new')}>New lead</Button>}
        </Group>
      </Group>

      <Paper withBorder p="sm">
        <Group align="flex-end" gap="sm" role="search">
          <TextInput
            label="Search"
            placeholder="Name, company, email, phone, notes"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            style={{ flex: '1 1 220px' }}
          />
          <MultiSelect
            label="Bucket"
            data={['P1', 'P2', 'P3']}
            value={filters.status_bucket?.split(',') ?? []}
            onChange={(v) => setFilter('bucket', v.join(',') || null)}
            w={160}
            clearable
          />
          <Select
            label="Stage"
            data={[{ value: 'null', label: 'No stage' }, ...(stages.data ?? []).map((s) => ({ value: s.id, label: s.name }))]}
            value={filters.pipeline_stage_id ?? null}
            onChange={(v) => setFilter('stage', v)}
            clearable
            w={170}
          />
          <Select
            label="Owner"
            data={[{ value: 'null', label: 'Unassigned' }, ...(users.data ?? []).map((u) => ({ value: u.id, label: u.full_name }))]}
            value={filters.agent_id ?? null}
            onChange={(v) => setFilter('owner', v)}
            clearable
            searchable
            w={170}
          />
          <TextInput
            label="Source"
            placeholder="e.g. website"
            defaultValue={filters.lead_source ?? ''}
            onBlur={(e) => setFilter('source', e.currentTarget.value.trim() || null)}
            onKeyDown={(e) => e.key === 'Enter' && setFilter('source', e.currentTarget.value.trim() || null)}
            w={130}
          />
          <TextInput label="Created from" type="date" value={params.get('from') ?? ''} onChange={(e) => setFilter('from', e.currentTarget.value || null)} w={150} />
          <TextInput label="Created to" type="date" value={params.get('to') ?? ''} onChange={(e) => setFilter('to', e.currentTarget.value || null)} w={150} />
          <Switch label="Trash" checked={Boolean(params.get('trash'))} onChange={(e) => setFilter('trash', e.currentTarget.checked ? '1' : null)} mb={8} />
          <Select
            label="Sort"
            data={SORTS}
            value={filters.sort}
            onChange={(v) => setFilter('sort', v)}
            allowDeselect={false}
            w={160}
          />
        </Group>
      </Paper>

      {canEdit && selected.length > 0 && (
        <Group gap="sm" aria-label="Bulk actions">
          <Text size="sm">{selected.length} selected</Text>
          <Menu>
            <Menu.Target>
              <Button size="xs" variant="light">
                Assign to…
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => bulk.mutate({ action: 'assign', ids: selected, agent_id: null })}>Shared pool</Menu.Item>
              {(users.data ?? [])
                .filter((u) => u.is_active && !u.is_service)
                .map((u) => (
                  <Menu.Item key={u.id} onClick={() => bulk.mutate({ action: 'assign', ids: selected, agent_id: u.id })}>
                    {u.full_name}
                  </Menu.Item>
                ))}
            </Menu.Dropdown>
          </Menu>
          <Menu>
            <Menu.Target>
              <Button size="xs" variant="light">
                Move to stage…
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {(stages.data ?? []).map((s) => (
                <Menu.Item key={s.id} onClick={() => bulk.mutate({ action: 'move_stage', ids: selected, pipeline_stage_id: s.id })}>
                  {s.name}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <Button size="xs" color="red" variant="light" onClick={() => bulk.mutate({ action: 'delete', ids: selected })}>
            Delete selected
          </Button>
        </Group>
      )}

      {leads.isError && <Alert color="red">{errorMessage(leads.error)}</Alert>}
      <Paper withBorder>
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover verticalSpacing="xs" aria-busy={leads.isFetching}>
            <Table.Thead>
              <Table.Tr>
                {canEdit && (
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label="Select all leads on this page"
                      checked={allSelected}
                      indeterminate={selected.length > 0 && !allSelected}
                      onChange={() => setSelected(allSelected ? [] : rows.map((r) => r.id))}
                    />
                  </Table.Th>
                )}
                <Table.Th>Lead</Table.Th>
                <Table.Th>Company</Table.Th>
                <Table.Th>Bucket</Table.Th>
                <Table.Th>Score</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Deal</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Created</Table.Th>
                {canEdit && <Table.Th w={50}><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((lead) => (
                <Table.Tr key={lead.id} data-lead-id={lead.id}>
                  {canEdit && (
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${leadName(lead)}`}
                        checked={selected.includes(lead.id)}
                        onChange={(e) =>
                          setSelected((s) => (e.currentTarget.checked ? [...s, lead.id] : s.filter((id) => id !== lead.id)))
                        }
                      />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Anchor component={Link} to={`/leads/${lead.id}`} fw={500}>
                      {leadName(lead)}
                    </Anchor>
                    {lead.email && (
                      <Text size="xs" c="dimmed">
                        {lead.email}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{lead.company_name ?? '—'}</Table.Td>
                  <Table.Td>
                    <BucketBadge bucket={lead.status_bucket} />
                  </Table.Td>
                  <Table.Td>
                    <ScoreMeter score={lead.lead_score} />
                  </Table.Td>
                  <Table.Td>{stageName(lead.pipeline_stage_id)}</Table.Td>
                  <Table.Td>{userName(lead.agent_id)}</Table.Td>
                  <Table.Td>{currency(lead.deal_value)}</Table.Td>
                  <Table.Td>{lead.lead_source ?? '—'}</Table.Td>
                  <Table.Td>
                    <Text size="sm" title={lead.created_at}>
                      {fromNow(lead.created_at)}
                    </Text>
                  </Table.Td>
                  {canEdit && (
                    <Table.Td>
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label={`Actions for ${leadName(lead)}`}>
                            ⋯
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {lead.deleted_at ? (
                            <Menu.Item onClick={() => restore.mutate(lead)}>Restore</Menu.Item>
                          ) : (
                            <>
                              <Menu.Item onClick={() => setEditing(lead)}>Edit</Menu.Item>
                              <Menu.Item color="red" onClick={() => setDeleting(lead)}>
                                Delete
                              </Menu.Item>
                            </>
                          )}
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              {rows.length === 0 && !leads.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={11}>
                    <Text c="dimmed" ta="center" py="lg">
                      No leads match.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Page {cursors.length}
        </Text>
        <Group gap="xs">
          <Button variant="default" size="xs" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={!leads.data?.next_cursor}
            onClick={() => setCursors((c) => [...c, leads.data?.next_cursor ?? undefined])}
          >
            Next
          </Button>
        </Group>
      </Group>

      <Modal opened={editing !== null} onClose={() => { setEditing(null); save.reset(); }} title={editing === 'new' ? 'New lead' : 'Edit lead'} size="lg">
        {save.isError && (
          <Alert color="red" mb="sm" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
        {editing !== null && (
          <LeadForm
            lead={editing === 'new' ? undefined : editing}
            submitting={save.isPending}
            onCancel={() => setEditing(null)}
            onSubmit={(input) => save.mutate({ lead: editing === 'new' ? null : editing, input })}
          />
        )}
      </Modal>
      <ImportLeads opened={importing} onClose={() => setImporting(false)} />
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete lead?">
        <Stack>
          <Text>
            {deleting && leadName(deleting)} moves to the trash; an admin can restore it.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

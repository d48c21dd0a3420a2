import {
  ActionIcon,
  Alert,
  Autocomplete,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Loader,
  Modal,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, errorMessage, must, type AgentSettings, type PipelineStage, type Role, type ScoringRule } from '../api/client';
import { useAbilities } from '../lib/auth';
import { fromNow } from '../lib/format';
import { useStages, useUsers } from '../lib/queries';

const ROLES: Role[] = ['admin', 'manager', 'agent', 'viewer'];
const onError = (error: Error) => notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(error) });

function UsersTab() {
  const { isAdmin } = useAbilities();
  const queryClient = useQueryClient();
  const users = useUsers();
  const [creating, setCreating] = useState(false);
  const form = useForm({
    initialValues: { full_name: '', email: '', role: 'agent' as Role, password: '' },
    validate: {
      full_name: (v) => (v.trim() ? null : 'Required'),
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : 'Not an email address'),
      password: (v) => (v.length >= 8 ? null : 'At least 8 characters'),
    },
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({
    mutationFn: async (values: typeof form.values) => must(await api.POST('/api/v1/users', { body: values })),
    onSuccess: () => {
      setCreating(false);
      form.reset();
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: async ({ id, body }: { id: string; body: { role?: Role; is_active?: boolean } }) =>
      must(await api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
    onError,
  });
  return (
    <Stack>
      {isAdmin && (
        <Group justify="flex-end">
          <Button onClick={() => setCreating(true)}>Add user</Button>
        </Group>
      )}
      <Table striped aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Active</Table.Th>
            <Table.Th>Last sign-in</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data ?? []).map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>
                {u.full_name} {u.is_ai && <Badge size="xs">AI</Badge>} {u.is_service && <Badge size="xs" color="gray">API key</Badge>}
              </Table.Td>
              <Table.Td>{u.email}</Table.Td>
              <Table.Td>
                {isAdmin && !u.is_service ? (
                  <Select
                    aria-label={`Role of ${u.full_name}`}
                    data={ROLES}
                    value={u.role}
                    onChange={(role) => role && update.mutate({ id: u.id, body: { role: role as Role } })}
                    allowDeselect={false}
                    w={120}
                    size="xs"
                  />
                ) : (
                  u.role
                )}
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`${u.full_name} is active`}
                  checked={u.is_active}
                  disabled={!isAdmin}
                  onChange={(e) => update.mutate({ id: u.id, body: { is_active: e.currentTarget.checked } })}
                />
              </Table.Td>
              <Table.Td>{fromNow(u.last_login_at) || '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={creating} onClose={() => setCreating(false)} title="Add user">
        <form onSubmit={form.onSubmit((values) => create.mutate(values))}>
          <Stack>
            {create.isError && <Alert color="red">{errorMessage(create.error)}</Alert>}
            <TextInput label="Full name" data-autofocus {...form.getInputProps('full_name')} />
            <TextInput label="Email" type="email" {...form.getInputProps('email')} />
            <Select label="Role" data={ROLES} allowDeselect={false} {...form.getInputProps('role')} />
            <PasswordInput label="Initial password" autoComplete="new-password" {...form.getInputProps('password')} />
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function StageRow({ stage, isAdmin, onMove }: { stage: PipelineStage; isAdmin: boolean; onMove: (delta: -1 | 1) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(stage.name);
  const [probability, setProbability] = useState<number | string>(stage.win_probability);
  const [rotten, setRotten] = useState<number | string>(stage.rotten_after_days ?? '');
  useEffect(() => {
    setName(stage.name);
    setProbability(stage.win_probability);
    setRotten(stage.rotten_after_days ?? '');
  }, [stage]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['pipeline_stages'] });
  const save = useMutation({
    mutationFn: async () =>
      must(
        await api.PATCH('/api/v1/pipeline_stages/{id}', {
          params: { path: { id: stage.id } },
          body: { name: name.trim(), win_probability: Number(probability), rotten_after_days: rotten === '' ? null : Number(rotten) },
        }),
      ),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: `Saved ${name}` });
      void refresh();
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: async () => must(await api.DELETE('/api/v1/pipeline_stages/{id}', { params: { path: { id: stage.id } } })),
    onSuccess: refresh,
    onError,
  });
  const dirty = name !== stage.name || Number(probability) !== stage.win_probability || (rotten === '' ? null : Number(rotten)) !== stage.rotten_after_days;
  return (
    <Table.Tr>
      <Table.Td>
        {isAdmin ? (
          <Group gap={2} wrap="nowrap">
            <ActionIcon size="sm" variant="subtle" aria-label={`Move ${stage.name} up`} onClick={() => onMove(-1)}>
              ↑
            </ActionIcon>
            <ActionIcon size="sm" variant="subtle" aria-label={`Move ${stage.name} down`} onClick={() => onMove(1)}>
              ↓
            </ActionIcon>
          </Group>
        ) : (
          stage.order_position
        )}
      </Table.Td>
      <Table.Td>
        <TextInput aria-label="Stage name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!isAdmin} size="xs" />
      </Table.Td>
      <Table.Td>
        <NumberInput aria-label={`${stage.name} win probability`} value={probability} onChange={setProbability} min={0} max={100} suffix="%" disabled={!isAdmin} size="xs" w={90} />
      </Table.Td>
      <Table.Td>
        <NumberInput aria-label={`${stage.name} rotten after days`} value={rotten} onChange={setRotten} min={1} disabled={!isAdmin} size="xs" w={90} placeholder="never" />
      </Table.Td>
      <Table.Td>{stage.is_won ? <Badge color="teal">won</Badge> : stage.is_lost ? <Badge color="red">lost</Badge> : null}</Table.Td>
      <Table.Td>
        {isAdmin && (
          <Group gap={4} wrap="nowrap">
            <Button size="compact-xs" disabled={!dirty} loading={save.isPending} onClick={() => save.mutate()}>
              Save
            </Button>
            <Button size="compact-xs" color="red" variant="subtle" onClick={() => remove.mutate()}>
              Delete
            </Button>
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function StagesTab() {
  const { isAdmin } = useAbilities();
  const queryClient = useQueryClient();
  const stages = useStages();
  const [name, setName] = useState('');
  const reorder = useMutation({
    mutationFn: async (ids: string[]) => must(await api.POST('/api/v1/pipeline_stages/reorder', { body: { ids } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['pipeline_stages'] }),
    onError,
  });
  const move = (index: number, delta: -1 | 1) => {
    const ids = (stages.data ?? []).map((s) => s.id);
    const target = index + delta;
    if (target < 0 || target >= ids.length) return;
    [ids[index], ids[target]] = [ids[target] as string, ids[index] as string];
    reorder.mutate(ids);
  };
  const add = useMutation({
    mutationFn: async () =>
      must(await api.POST('/api/v1/pipeline_stages', { body: { name: name.trim(), order_position: (stages.data?.length ?? 0) + 1 } })),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['pipeline_stages'] });
    },
    onError,
  });
  return (
    <Stack>
      <Table aria-label="Pipeline stages">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Win probability</Table.Th>
            <Table.Th>Rotten after (days)</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(stages.data ?? []).map((stage, index) => (
            <StageRow key={stage.id} stage={stage} isAdmin={isAdmin} onMove={(delta) => move(index, delta)} />
          ))}
        </Table.Tbody>
      </Table>
      {isAdmin && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) add.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput label="New stage" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Button type="submit" disabled={!name.trim()} loading={add.isPending}>
              Add stage
            </Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}

function describeCondition(condition: ScoringRule['condition'] | { field: string; op: string; value?: unknown }): string {
  return 'value' in condition ? `${condition.field} ${condition.op} ${JSON.stringify(condition.value)}` : `${condition.field} is ${condition.op}`;
}

const CATEGORIES = ['budget', 'authority', 'need', 'timeline', 'fit', 'engagement'] as const;
const OPS = ['eq', 'neq', 'in', 'gte', 'lte', 'gt', 'lt', 'between', 'present', 'absent'] as const;
type Op = (typeof OPS)[number];

/** "20000" -> 20000, "true" -> true, anything else stays text. */
function scalar(text: string): string | number | boolean {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** The rule's condition from the form; throws a message for the person when the value does not fit the operator. */
function condition(field: string, op: Op, value: string): ScoringRule['condition'] {
  if (op === 'present' || op === 'absent') return { field, op };
  if (op === 'in') return { field, op, value: value.split(',').map((v) => scalar(v)).filter((v): v is string | number => typeof v !== 'boolean') };
  if (op === 'between') {
    const [low, high] = value.split(',').map((v) => Number(v.trim()));
    if (!Number.isFinite(low) || !Number.isFinite(high)) throw new Error('“between” takes two numbers: low, high');
    return { field, op, value: [low as number, high as number] };
  }
  if (op === 'eq' || op === 'neq') return { field, op, value: scalar(value) };
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`“${op}” compares with a number`);
  return { field, op, value: number };
}

function NewRule({ fields }: { fields: string[] }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: '', category: 'fit' as (typeof CATEGORIES)[number], field: '', op: 'eq' as Op, value: '', points: 5 as number | string },
    validate: {
      name: (v) => (v.trim() ? null : 'Required'),
      field: (v) => (v.trim() ? null : 'Required'),
    },
  });
  const create = useMutation({
    mutationFn: async (v: typeof form.values) => {
      const id = v.name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 60);
      return must(
        await api.POST('/api/v1/lead_scoring_criteria', {
          body: { id, name: v.name.trim(), category: v.category, condition: condition(v.field.trim(), v.op, v.value), points: Number(v.points) },
        }),
      );
    },
    onSuccess: (rule) => {
      notifications.show({ color: 'teal', message: `Rule “${rule.name}” added` });
      form.reset();
      void queryClient.invalidateQueries({ queryKey: ['lead_scoring_criteria'] });
    },
    onError,
  });
  const needsValue = form.values.op !== 'present' && form.values.op !== 'absent';
  return (
    <Paper withBorder p="sm">
      <form onSubmit={form.onSubmit((values) => create.mutate(values))}>
        <Group align="flex-end" gap="xs">
          <TextInput label="New rule" placeholder="e.g. Enterprise size" {...form.getInputProps('name')} w={200} />
          <Select label="Category" data={[...CATEGORIES]} allowDeselect={false} {...form.getInputProps('category')} w={130} />
          <Autocomplete label="Fact" data={fields} placeholder="company_size" {...form.getInputProps('field')} w={170} />
          <Select label="Operator" data={[...OPS]} allowDeselect={false} {...form.getInputProps('op')} w={110} />
          {needsValue && (
            <TextInput
              label="Value"
              placeholder={form.values.op === 'in' ? 'a, b, c' : form.values.op === 'between' ? 'low, high' : ''}
              {...form.getInputProps('value')}
              w={130}
            />
          )}
          <NumberInput label="Points" min={-100} max={100} {...form.getInputProps('points')} w={90} />
          <Button type="submit" loading={create.isPending}>
            Add rule
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

/** A rule as the list answers it (a "between" value is a plain array there). */
interface RuleRow {
  id: string;
  name: string;
  condition: { field: string; op: string; value?: unknown };
}

/** The form's text for a condition's value: lists as "a, b", anything else as typed. */
function valueText(c: RuleRow['condition']): string {
  if (c.value === undefined) return '';
  return Array.isArray(c.value) ? c.value.join(', ') : String(c.value);
}

/** Changes what an existing rule tests (its fact, operator and value); its id, and so its history, stay. */
function EditCondition({ rule, fields, onClose }: { rule: RuleRow; fields: string[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { field: rule.condition.field, op: rule.condition.op as Op, value: valueText(rule.condition) },
    validate: { field: (v) => (v.trim() ? null : 'Required') },
  });
  const save = useMutation({
    mutationFn: async (v: typeof form.values) =>
      must(
        await api.PATCH('/api/v1/lead_scoring_criteria/{id}', {
          params: { path: { id: rule.id } },
          body: { condition: condition(v.field.trim(), v.op, v.value) },
        }),
      ),
    onSuccess: (saved) => {
      notifications.show({ color: 'teal', message: `Rule “${saved.name}” now tests ${describeCondition(saved.condition)}` });
      void queryClient.invalidateQueries({ queryKey: ['lead_scoring_criteria'] });
      onClose();
    },
    onError,
  });
  const needsValue = form.values.op !== 'present' && form.values.op !== 'absent';
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))}>
      <Stack>
        <Autocomplete label="Fact" data={fields} {...form.getInputProps('field')} />
        {/* Focus starts here: the fact's suggestions open on focus and would cover the fields below. */}
        <Select label="Operator" data={[...OPS]} allowDeselect={false} data-autofocus {...form.getInputProps('op')} />
        {needsValue && (
          <TextInput
            label="Value"
            description={form.values.op === 'in' ? 'Several values, separated by commas' : form.values.op === 'between' ? 'low, high (high excluded)' : undefined}
            {...form.getInputProps('value')}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save condition
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ScoringTab() {
  const { isAdmin } = useAbilities();
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: ['lead_scoring_criteria'],
    queryFn: async () => must(await api.GET('/api/v1/lead_scoring_criteria', { params: { query: { limit: 500 } } })).data,
  });
  const update = useMutation({
    mutationFn: async ({ id, body }: { id: string; body: { points?: number; is_active?: boolean } }) =>
      must(await api.PATCH('/api/v1/lead_scoring_criteria/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['lead_scoring_criteria'] }),
    onError,
  });
  const remove = useMutation({
    mutationFn: async (id: string) => must(await api.DELETE('/api/v1/lead_scoring_criteria/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['lead_scoring_criteria'] }),
    onError,
  });
  const fields = [...new Set((rules.data ?? []).map((r) => r.condition.field))].sort();
  const [editing, setEditing] = useState<RuleRow | null>(null);
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        Clara adds the points of every active rule a lead meets (the best tier per category). P1 and P2 buckets follow from the total.
      </Text>
      {isAdmin && <NewRule fields={fields} />}
      <Table striped aria-label="Scoring rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Category</Table.Th>
            <Table.Th>Condition</Table.Th>
            <Table.Th>Points</Table.Th>
            <Table.Th>Active</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(rules.data ?? []).map((rule) => (
            <Table.Tr key={rule.id}>
              <Table.Td>
                {rule.name}
                {rule.description && (
                  <Text size="xs" c="dimmed">
                    {rule.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge variant="light">{rule.category}</Badge>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Code>{describeCondition(rule.condition)}</Code>
                  {isAdmin && (
                    <ActionIcon size="sm" variant="subtle" aria-label={`Edit the condition of ${rule.name}`} onClick={() => setEditing(rule)}>
                      ✎
                    </ActionIcon>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <NumberInput
                  aria-label={`Points for ${rule.name}`}
                  defaultValue={rule.points}
                  min={-100}
                  max={100}
                  size="xs"
                  w={80}
                  disabled={!isAdmin}
                  onBlur={(e) => {
                    const points = Number(e.currentTarget.value);
                    if (Number.isFinite(points) && points !== rule.points) update.mutate({ id: rule.id, body: { points } });
                  }}
                />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Switch
                    aria-label={`${rule.name} is active`}
                    checked={rule.is_active}
                    disabled={!isAdmin}
                    onChange={(e) => update.mutate({ id: rule.id, body: { is_active: e.currentTarget.checked } })}
                  />
                  {isAdmin && (
                    <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Delete rule ${rule.name}`} onClick={() => remove.mutate(rule.id)}>
                      ✕
                    </ActionIcon>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing ? `Condition of “${editing.name}”` : 'Condition'}>
        {editing && <EditCondition key={editing.id} rule={editing} fields={fields} onClose={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}

function ApiKeysTab() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [created, setCreated] = useState<string | null>(null);
  const keys = useQuery({
    queryKey: ['api_keys'],
    queryFn: async () => must(await api.GET('/api/v1/api_keys')).data,
  });
  const create = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/api_keys', { body: { name: name.trim(), role } })),
    onSuccess: (key) => {
      setCreated(key.key);
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['api_keys'] });
    },
    onError,
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => must(await api.DELETE('/api/v1/api_keys/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api_keys'] }),
    onError,
  });
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <Group align="flex-end">
          <TextInput label="Key name" value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="e.g. website form" />
          <Select label="Role" data={ROLES} value={role} onChange={(v) => setRole((v as Role) ?? 'agent')} allowDeselect={false} w={120} />
          <Button type="submit" disabled={!name.trim()} loading={create.isPending}>
            Create key
          </Button>
        </Group>
      </form>
      {created && (
        <Alert color="yellow" title="Copy this key now: it is shown once" withCloseButton onClose={() => setCreated(null)}>
          <Group gap="xs">
            <Code>{created}</Code>
            <CopyButton value={created}>
              {({ copied, copy }) => (
                <Button size="compact-xs" variant="light" onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
      <Table aria-label="API keys">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Key</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(keys.data ?? []).map((k) => (
            <Table.Tr key={k.id} c={k.revoked_at ? 'dimmed' : undefined}>
              <Table.Td>{k.name}</Table.Td>
              <Table.Td>
                <Code>{k.key_prefix}…</Code>
              </Table.Td>
              <Table.Td>{k.role}</Table.Td>
              <Table.Td>{fromNow(k.created_at)}</Table.Td>
              <Table.Td>{fromNow(k.last_used_at) || 'never'}</Table.Td>
              <Table.Td>
                {k.revoked_at ? (
                  <Badge color="gray">revoked</Badge>
                ) : (
                  <Button size="compact-xs" color="red" variant="subtle" onClick={() => revoke.mutate(k.id)}>
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function ClaraTab() {
  const settings = useQuery({
    queryKey: ['agent_settings'],
    queryFn: async () => must(await api.GET('/api/v1/agent/settings')),
  });
  if (settings.isError) return <Alert color="red">{errorMessage(settings.error)}</Alert>;
  // The form starts from the saved settings: nothing typed before they arrive can be overwritten.
  return settings.data ? <ClaraForm settings={settings.data} /> : <Loader aria-label="Loading Clara's settings" />;
}

/** The stage Clara moves a lead to when it reaches each qualification status (she only moves leads forward). */
const STATUSES = [
  { status: 'unqualified', label: 'Unqualified' },
  { status: 'marketing_qualified', label: 'Marketing qualified' },
  { status: 'sales_qualified', label: 'Sales qualified' },
  { status: 'opportunity', label: 'Opportunity' },
] as const;
type StageMapping = Record<(typeof STATUSES)[number]['status'], string | null>;

function ClaraForm({ settings }: { settings: AgentSettings }) {
  const { isAdmin } = useAbilities();
  const queryClient = useQueryClient();
  const stages = useStages();
  const form = useForm<Pick<AgentSettings, 'agent_name' | 'company_name' | 'greeting' | 'faq' | 'demo_minutes'> & { stage_mapping: StageMapping }>({
    initialValues: {
      agent_name: settings.agent_name,
      company_name: settings.company_name,
      greeting: settings.greeting ?? '',
      faq: settings.faq,
      demo_minutes: settings.demo_minutes,
      stage_mapping: Object.fromEntries(STATUSES.map(({ status }) => [status, settings.stage_mapping[status] ?? null])) as StageMapping,
    },
  });
  const stageNames = (stages.data ?? []).map((stage) => stage.name);
  const save = useMutation({
    mutationFn: async ({ stage_mapping, ...values }: typeof form.values) =>
      must(
        await api.PATCH('/api/v1/agent/settings', {
          body: {
            ...values,
            greeting: values.greeting?.trim() || null,
            // Only the statuses given a stage: one left empty follows the server's default.
            stage_mapping: Object.fromEntries(Object.entries(stage_mapping).filter((entry): entry is [string, string] => Boolean(entry[1]))),
          },
        }),
      ),
    onSuccess: (saved) => {
      form.resetDirty();
      queryClient.setQueryData(['agent_settings'], saved);
      notifications.show({ color: 'teal', message: `${saved.agent_name}'s settings saved` });
    },
    onError,
  });
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))}>
      <Stack maw={720}>
        <Group grow>
          <TextInput label="Agent name" disabled={!isAdmin} {...form.getInputProps('agent_name')} />
          <TextInput label="Company name" disabled={!isAdmin} {...form.getInputProps('company_name')} />
          <NumberInput label="Demo length (minutes)" min={5} max={240} disabled={!isAdmin} {...form.getInputProps('demo_minutes')} />
        </Group>
        <Textarea label="Greeting" description="What Clara says first; empty for the default" autosize minRows={2} disabled={!isAdmin} {...form.getInputProps('greeting')} />
        <Title order={3} size="h5">
          Pipeline stage per qualification status
        </Title>
        <Text size="sm" c="dimmed" mt={-8}>
          Where Clara moves a lead when it reaches a status; it only moves leads forward and never off a stage a person chose. Empty: the default.
        </Text>
        <Group grow align="flex-start">
          {STATUSES.map(({ status, label }) => (
            <Select
              key={status}
              label={`${label} leads go to`}
              data={[...new Set([...stageNames, ...(form.values.stage_mapping[status] ? [form.values.stage_mapping[status] as string] : [])])]}
              placeholder={`${settings.default_stage_mapping[status] ?? 'None'} (default)`}
              clearable
              // Mantine hides the clear button from keyboards and screen readers; going back to the
              // default must not need a mouse.
              clearButtonProps={{ 'aria-label': `Clear: ${label} leads go to`, 'aria-hidden': false, tabIndex: 0 }}
              disabled={!isAdmin}
              {...form.getInputProps(`stage_mapping.${status}`)}
            />
          ))}
        </Group>
        <Title order={3} size="h5">
          Frequently asked questions
        </Title>
        {form.values.faq.map((_, index) => (
          <Paper key={index} withBorder p="sm">
            <Stack gap="xs">
              <Group align="flex-end">
                <TextInput label="Question" style={{ flex: 1 }} disabled={!isAdmin} {...form.getInputProps(`faq.${index}.question`)} />
                {isAdmin && (
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove question ${index + 1}`} onClick={() => form.removeListItem('faq', index)}>
                    ✕
                  </ActionIcon>
                )}
              </Group>
              <Textarea label="Answer" autosize disabled={!isAdmin} {...form.getInputProps(`faq.${index}.answer`)} />
              <TextInput
                label="Keywords (comma separated)"
                disabled={!isAdmin}
                value={form.values.faq[index]?.keywords.join(', ') ?? ''}
                onChange={(e) =>
                  form.setFieldValue(
                    `faq.${index}.keywords`,
                    e.currentTarget.value.split(',').map((k) => k.trim()).filter(Boolean),
                  )
                }
              />
            </Stack>
          </Paper>
        ))}
        {isAdmin && (
          <Group>
            <Button variant="default" onClick={() => form.insertListItem('faq', { question: '', answer: '', keywords: [] })}>
              Add a question
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
              Save Clara's settings
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

/** The notification types the server sends (a type missing from the preferences is on everywhere). */
const NOTIFICATION_TYPES: { type: string; label: string }[] = [
  { type: 'lead_p1', label: 'A lead becomes P1 (hot)' },
  { type: 'support_request', label: 'A customer asks Clara for help' },
];
type Preferences = Record<string, { in_app: boolean; email: boolean }>;

/** The signed-in person's own choices, per notification type: in the app, by email, both or neither. */
function NotificationsTab() {
  const queryClient = useQueryClient();
  const preferences = useQuery({
    queryKey: ['notification_preferences'],
    queryFn: async () => must(await api.GET('/api/v1/notification_preferences')) as Preferences,
  });
  const save = useMutation({
    mutationFn: async (next: Preferences) => must(await api.PUT('/api/v1/notification_preferences', { body: next })) as Preferences,
    onMutate: (next) => queryClient.setQueryData(['notification_preferences'], next),
    onSuccess: (saved) => {
      queryClient.setQueryData(['notification_preferences'], saved);
      notifications.show({ color: 'teal', message: 'Notification preferences saved' });
    },
    onError: (error) => {
      onError(error);
      void queryClient.invalidateQueries({ queryKey: ['notification_preferences'] });
    },
  });
  if (preferences.isError) return <Alert color="red">{errorMessage(preferences.error)}</Alert>;
  if (!preferences.data) return <Loader aria-label="Loading your notification preferences" />;
  const current = preferences.data;
  const known = new Set(NOTIFICATION_TYPES.map((t) => t.type));
  const rows = [...NOTIFICATION_TYPES, ...Object.keys(current).filter((type) => !known.has(type)).map((type) => ({ type, label: type }))];
  const toggle = (type: string, channel: 'in_app' | 'email', on: boolean) =>
    save.mutate({ ...current, [type]: { ...(current[type] ?? { in_app: true, email: true }), [channel]: on } });
  return (
    <Stack maw={720}>
      <Text size="sm" c="dimmed">
        Your own choices: they apply to you only.
      </Text>
      <Table aria-label="Notification preferences">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>In the app</Table.Th>
            <Table.Th>By email</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ type, label }) => (
            <Table.Tr key={type}>
              <Table.Td>{label}</Table.Td>
              {(['in_app', 'email'] as const).map((channel) => (
                <Table.Td key={channel}>
                  <Switch
                    aria-label={`${label}: ${channel === 'in_app' ? 'in the app' : 'by email'}`}
                    checked={current[type]?.[channel] ?? true}
                    onChange={(e) => toggle(type, channel, e.currentTarget.checked)}
                  />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export default function SettingsPage() {
  const { isAdmin } = useAbilities();
  const navigate = useNavigate();
  const tab = useParams()['*'] || (isAdmin ? 'users' : 'pipeline');
  return (
    <Stack>
      <Title order={1} size="h2">
        Settings
      </Title>
      {!isAdmin && <Alert color="gray">Only admins change settings; you can read them. Your own notification preferences are yours to set.</Alert>}
      <Tabs value={tab} onChange={(value) => value && void navigate(`/settings/${value}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">Users</Tabs.Tab>
          <Tabs.Tab value="pipeline">Pipeline stages</Tabs.Tab>
          <Tabs.Tab value="scoring">Scoring rules</Tabs.Tab>
          {isAdmin && <Tabs.Tab value="api-keys">API keys</Tabs.Tab>}
          <Tabs.Tab value="clara">Clara</Tabs.Tab>
          <Tabs.Tab value="notifications">My notifications</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersTab />
        </Tabs.Panel>
        <Tabs.Panel value="pipeline" pt="md">
          <StagesTab />
        </Tabs.Panel>
        <Tabs.Panel value="scoring" pt="md">
          <ScoringTab />
        </Tabs.Panel>
        {isAdmin && (
          <Tabs.Panel value="api-keys" pt="md">
            <ApiKeysTab />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="clara" pt="md">
          <ClaraTab />
        </Tabs.Panel>
        <Tabs.Panel value="notifications" pt="md">
          <NotificationsTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

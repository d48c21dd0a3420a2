import { Button, Group, NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Lead, Schemas } from '../api/client';
import { useAbilities } from '../lib/auth';
import { useStages, useUsers } from '../lib/queries';

export type LeadInput = Schemas['LeadCreateInput'];

const AUTHORITY = ['decision_maker', 'influencer', 'no_authority', 'unknown'] as const;
const TIMELINE = ['immediate', 'this_week', 'this_month', 'this_quarter', 'future', 'unknown'] as const;

interface Values {
  contact_person: string;
  company_name: string;
  email: string;
  phone: string;
  deal_value: number | string;
  lead_source: string;
  status_bucket: string;
  pipeline_stage_id: string | null;
  agent_id: string | null;
  industry: string;
  city: string;
  need: string;
  budget_amount: number | string;
  authority: string;
  timeline: string;
  notes: string;
}

function toValues(lead: Lead | undefined, me: string): Values {
  return {
    contact_person: lead?.contact_person ?? '',
    company_name: lead?.company_name ?? '',
    email: lead?.email ?? '',
    phone: lead?.phone ?? '',
    deal_value: lead?.deal_value ?? '',
    lead_source: lead?.lead_source ?? '',
    status_bucket: lead?.status_bucket ?? 'P3',
    pipeline_stage_id: lead?.pipeline_stage_id ?? null,
    // A new lead is yours unless you give it to someone else or to the shared pool.
    agent_id: lead ? lead.agent_id : me,
    industry: lead?.industry ?? '',
    city: lead?.city ?? '',
    need: lead?.need ?? '',
    budget_amount: lead?.budget_amount ?? '',
    authority: lead?.authority ?? 'unknown',
    timeline: lead?.timeline ?? 'unknown',
    notes: lead?.notes ?? '',
  };
}

const text = (v: string) => (v.trim() === '' ? null : v.trim());
const num = (v: number | string) => (v === '' || v === null ? null : Number(v));

function toInput(v: Values, creating: boolean): LeadInput {
  const input: LeadInput = {
    contact_person: text(v.contact_person),
    company_name: text(v.company_name),
    email: text(v.email),
    phone: text(v.phone),
    deal_value: num(v.deal_value),
    lead_source: text(v.lead_source),
    status_bucket: v.status_bucket as LeadInput['status_bucket'],
    pipeline_stage_id: v.pipeline_stage_id,
    agent_id: v.agent_id,
    industry: text(v.industry),
    city: text(v.city),
    need: text(v.need),
    budget_amount: num(v.budget_amount),
    authority: v.authority as LeadInput['authority'],
    timeline: v.timeline as LeadInput['timeline'],
    notes: text(v.notes),
  };
  // Without a stage the server puts a new lead in the first one.
  if (creating && !v.pipeline_stage_id) delete input.pipeline_stage_id;
  return input;
}

/** Create or edit a lead. Server-side validation errors come back through `error` on the caller's side. */
export function LeadForm(props: { lead?: Lead; submitting: boolean; onSubmit: (input: LeadInput) => void; onCancel: () => void }) {
  const stages = useStages();
  const users = useUsers();
  const { user } = useAbilities();
  const form = useForm<Values>({
    initialValues: toValues(props.lead, user.id),
    validate: {
      contact_person: (v, values) =>
        v.trim() || values.company_name.trim() || values.email.trim() || values.phone.trim() ? null : 'Give at least a name, company, email or phone',
      email: (v) => (v.trim() === '' || /^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Not an email address'),
    },
  });
  return (
    <form onSubmit={form.onSubmit((values) => props.onSubmit(toInput(values, !props.lead)))} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Contact name" data-autofocus {...form.getInputProps('contact_person')} />
          <TextInput label="Company" {...form.getInputProps('company_name')} />
          <TextInput label="Email" type="email" {...form.getInputProps('email')} />
          <TextInput label="Phone" type="tel" {...form.getInputProps('phone')} />
          <NumberInput label="Deal value (USD)" min={0} thousandSeparator="," {...form.getInputProps('deal_value')} />
          <TextInput label="Lead source" placeholder="website, referral, phone…" {...form.getInputProps('lead_source')} />
          <Select label="Bucket" data={['P1', 'P2', 'P3']} allowDeselect={false} {...form.getInputProps('status_bucket')} />
          <Select
            label="Pipeline stage"
            clearable
            data={(stages.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            {...form.getInputProps('pipeline_stage_id')}
          />
          <Select
            label="Owner"
            clearable
            placeholder="Unassigned (shared pool)"
            data={(users.data ?? []).filter((u) => u.is_active && !u.is_service).map((u) => ({ value: u.id, label: u.full_name }))}
            {...form.getInputProps('agent_id')}
          />
          <TextInput label="Industry" {...form.getInputProps('industry')} />
          <TextInput label="City" {...form.getInputProps('city')} />
          <NumberInput label="Budget (USD)" min={0} thousandSeparator="," {...form.getInputProps('budget_amount')} />
          <Select label="Authority" data={AUTHORITY.map((a) => ({ value: a, label: a.replace(/_/g, ' ') }))} allowDeselect={false} {...form.getInputProps('authority')} />
          <Select label="Timeline" data={TIMELINE.map((a) => ({ value: a, label: a.replace(/_/g, ' ') }))} allowDeselect={false} {...form.getInputProps('timeline')} />
        </SimpleGrid>
        <TextInput label="Need" {...form.getInputProps('need')} />
        <Textarea label="Notes" autosize minRows={2} {...form.getInputProps('notes')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={props.submitting}>
            {props.lead ? 'Save lead' : 'Create lead'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

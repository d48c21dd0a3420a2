import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { activityResource } from '../../src/crm/activities/activity-resource.js';
import { callResource } from '../../src/crm/calls/call-resource.js';
import { clientResource } from '../../src/crm/clients/client-resource.js';
import { contactResource } from '../../src/crm/contacts/contact-resource.js';
import { conversationResource } from '../../src/crm/conversations/conversation-resource.js';
import { followUpResource } from '../../src/crm/follow-ups/follow-up-resource.js';
import { leadResource } from '../../src/crm/leads/lead-resource.js';
import { meetingResource } from '../../src/crm/meetings/meeting-resource.js';
import { noteResource } from '../../src/crm/notes/note-resource.js';
import { opportunityResource } from '../../src/crm/opportunities/opportunity-resource.js';
import { pipelineStageResource } from '../../src/crm/pipeline/pipeline-stage-resource.js';
import type { Resource } from '../../src/crm/records/resource.js';
import { todoResource } from '../../src/crm/todos/todo-resource.js';
import { crmApi, NO_SUCH_ID, type ApiRecord, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * The contract every CRM resource of the REST API keeps (issue 2): a list filter for every
 * foreign key of its table, every advertised sort in both directions with a cursor that neither
 * skips nor repeats, update, soft delete and restore (or a real delete), an admin_audit row for
 * each change and, for records attached to a lead, an entry on the lead's timeline.
 */

interface Parents {
  stage: string;
  client: string;
  contact: string;
  lead: string;
  opportunity: string;
  agent: string;
}

interface Case {
  resource: Resource;
  /** Three distinct records are made with i = 0, 1, 2. */
  create(parents: Parents, i: number): Record<string, unknown>;
  update: Record<string, unknown>;
  /** No DELETE route (conversations are ended, not deleted). */
  noDelete?: boolean;
  /** Its changes show on the lead's timeline as <entity>_created, ... */
  timeline?: string;
}

const at = (day: number, hour = 9) => new Date(Date.UTC(2027, 0, 10 + day, hour)).toISOString();
const US = { defaultCountry: 'US' };

const CASES: Case[] = [
  {
    resource: clientResource(US),
    create: (p, i) => ({ client_name: `Contract Client ${i}`, company_size: 10 * i, agent_id: p.agent }),
    update: { industry: 'Logistics' },
  },
  {
    resource: contactResource(US),
    create: (p, i) => ({ full_name: `Contract Contact ${i}`, client_id: p.client, agent_id: p.agent }),
    update: { job_title: 'CFO' },
  },
  {
    resource: leadResource(US),
    create: (p, i) => ({
      contact_person: `Contract Lead ${i}`,
      client_id: p.client,
      agent_id: p.agent,
      pipeline_stage_id: p.stage,
      deal_value: i === 1 ? null : 1000 * i,
    }),
    update: { next_step: 'Send the proposal' },
    timeline: 'lead',
  },
  {
    resource: opportunityResource,
    create: (p, i) => ({
      name: `Contract Deal ${i}`,
      lead_id: p.lead,
      client_id: p.client,
      contact_id: p.contact,
      agent_id: p.agent,
      pipeline_stage_id: p.stage,
      amount: i === 2 ? null : 500 * (i + 1),
    }),
    update: { probability: 40 },
    timeline: 'opportunity',
  },
  {
    resource: activityResource,
    create: (p, i) => ({
      activity_type: 'email',
      subject: `Contract email ${i}`,
      lead_id: p.lead,
      client_id: p.client,
      contact_id: p.contact,
      opportunity_id: p.opportunity,
    }),
    update: { description: 'Sent the deck' },
  },
  {
    resource: noteResource,
    create: (p, i) => ({ body: `Contract note ${i}`, lead_id: p.lead, client_id: p.client, contact_id: p.contact, opportunity_id: p.opportunity }),
    update: { is_pinned: true },
    timeline: 'note',
  },
  {
    resource: followUpResource,
    create: (p, i) => ({ lead_id: p.lead, agent_id: p.agent, due_date: at(i) }),
    update: { notes: 'Call after lunch' },
    timeline: 'follow_up',
  },
  {
    resource: meetingResource,
    create: (p, i) => ({
      title: `Contract demo ${i}`,
      lead_id: p.lead,
      client_id: p.client,
      agent_id: p.agent,
      start_time: at(i),
      end_time: at(i, 10),
    }),
    update: { location: 'Zoom' },
    timeline: 'meeting',
  },
  {
    resource: todoResource,
    create: (p, i) => ({ title: `Contract todo ${i}`, lead_id: p.lead, client_id: p.client, assigned_to: p.agent, due_date: at(i) }),
    update: { priority: 'high' },
    timeline: 'todo',
  },
  {
    resource: callResource(US),
    create: (p, i) => ({ lead_id: p.lead, user_id: p.agent, call_type: 'manual', direction: 'outbound', call_start_time: at(i), transcript: `Contract call ${i}` }),
    update: { outcome: 'voicemail' },
    timeline: 'call',
  },
  {
    resource: conversationResource,
    create: (p, i) => ({ channel: 'web', lead_id: p.lead, user_id: p.agent, external_session_id: `contract-${i}` }),
    update: { language: 'en' },
    noDelete: true,
  },
  {
    resource: pipelineStageResource,
    create: (_p, i) => ({ name: `Contract Stage ${i}`, win_probability: 10 * i }),
    update: { rotten_after_days: 9 },
  },
];

describe('every CRM resource keeps the API contract', () => {
  let t: TestApp;
  let api: CrmApi;
  let agent: TestUser;
  let parents: Parents;
  const made = new Map<string, ApiRecord[]>();

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    agent = await t.user('agent');
    const stage = (await api.list(t.admin, '/api/v1/pipeline_stages?sort=order_position'))[0]?.id as string;
    const client = (await api.create(t.admin, 'clients', { client_name: 'Parent Client', agent_id: agent.id })).id;
    const contact = (await api.create(t.admin, 'contacts', { full_name: 'Parent Contact', client_id: client, agent_id: agent.id })).id;
    const lead = (await api.create(t.admin, 'leads', { contact_person: 'Parent Lead', client_id: client, agent_id: agent.id })).id;
    const opportunity = (await api.create(t.admin, 'opportunities', { name: 'Parent Deal', lead_id: lead, agent_id: agent.id })).id;
    parents = { stage, client, contact, lead, opportunity, agent: agent.id };
    for (const c of CASES) {
      const records: ApiRecord[] = [];
      for (let i = 0; i < 3; i += 1) records.push(await api.create(t.admin, c.resource.name, c.create(parents, i)));
      made.set(c.resource.name, records);
    }
  });
  after(async () => {
    await t.close();
  });

  /** Foreign-key columns of a table, from the catalog: the list must filter by each. */
  async function foreignKeys(table: string): Promise<string[]> {
    const { rows } = await sql<{ column: string }>`
      SELECT a.attname AS column
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
       WHERE c.contype = 'f' AND c.conrelid = ${table}::regclass
       ORDER BY 1`.execute(t.database.db);
    return rows.map((row) => row.column);
  }

  for (const c of CASES) {
    const name = c.resource.name;

    test(`${name}: a list filter for every foreign key`, async () => {
      const record = (made.get(name) as ApiRecord[])[0] as ApiRecord;
      const columns = await foreignKeys(name);
      assert.ok(columns.length > 0 || name === 'pipeline_stages');
      for (const column of columns) {
        assert.ok(column in c.resource.filters, `${name}.${column} references another table: add a "${column}" list filter to the resource`);
        const value = record[column] ?? 'null';
        const hit = await api.list(t.admin, `/api/v1/${name}?${column}=${value}&limit=500`);
        assert.ok(hit.some((r) => r.id === record.id), `${name}?${column}=${value} finds the record`);
        const miss = await api.list(t.admin, `/api/v1/${name}?${column}=${NO_SUCH_ID}&limit=500`);
        assert.equal(miss.some((r) => r.id === record.id), false, `${name}?${column}=<another id> leaves it out`);
      }
    });

    test(`${name}: every sort, both ways, pages by cursor without gaps or repeats`, async () => {
      const ids = new Set((made.get(name) as ApiRecord[]).map((r) => r.id));
      // Narrowed to the records made here where a filter allows it, so that the order is checkable.
      const scope = ['lead_id', 'client_id', 'todo_id'].find((column) => column in c.resource.filters && name !== 'clients');
      const base = scope === 'lead_id' ? `lead_id=${parents.lead}` : scope === 'client_id' ? `client_id=${parents.client}` : '';
      for (const column of c.resource.sortable) {
        for (const sort of [column, `-${column}`]) {
          const url = `/api/v1/${name}?sort=${sort}${base ? `&${base}` : ''}`;
          const all = (await api.list(t.admin, `${url}&limit=500`)).map((r) => r.id);
          const paged = await api.pageThrough(t.admin, url, 2);
          assert.deepEqual(paged, all, `${url}: pages by cursor give the same order as one page`);
          assert.equal(new Set(paged).size, paged.length, `${url}: no repeats`);
          for (const id of ids) assert.ok(paged.includes(id), `${url}: includes every record`);
        }
      }
    });

    test(`${name}: update, ${c.resource.softDelete ? 'trash and restore' : 'delete'}, each written to admin_audit${c.timeline ? " and the lead's timeline" : ''}`, async () => {
      const record = (made.get(name) as ApiRecord[])[2] as ApiRecord;
      const updated = await api.patch(t.admin, `/api/v1/${name}/${record.id}`, c.update);
      assert.equal(updated.statusCode, 200, updated.body);
      for (const [key, value] of Object.entries(c.update)) assert.deepEqual(updated.json()[key], value);

      const expectedAudit = ['create', 'update'];
      const expectedTimeline = c.timeline ? [`${c.timeline}_created`, `${c.timeline}_updated`] : [];
      if (!c.noDelete) {
        assert.equal((await api.delete(t.admin, `/api/v1/${name}/${record.id}`)).statusCode, 204);
        assert.equal((await api.get(t.admin, `/api/v1/${name}/${record.id}`)).statusCode, c.resource.softDelete ? 200 : 404);
        const listed = await api.list(t.admin, `/api/v1/${name}?limit=500`);
        assert.equal(listed.some((r) => r.id === record.id), false, 'gone from the list');
        if (c.resource.softDelete) {
          const trash = await api.list(t.admin, `/api/v1/${name}?deleted=only&limit=500`);
          assert.deepEqual(trash.map((r) => r.id), [record.id], 'in the trash');
          const restored = await api.post(t.admin, `/api/v1/${name}/${record.id}/restore`);
          assert.equal(restored.statusCode, 200, restored.body);
          assert.equal(restored.json().deleted_at, null);
          assert.ok((await api.list(t.admin, `/api/v1/${name}?limit=500`)).some((r) => r.id === record.id), 'back in the list');
          expectedAudit.push('update', 'update');
          if (c.timeline) expectedTimeline.push(`${c.timeline}_deleted`, `${c.timeline}_restored`);
        } else {
          expectedAudit.push('delete');
        }
      }

      const audit = await api.list(t.admin, `/api/v1/admin_audit?table_name=${name}&record_id=${record.id}&sort=id`);
      assert.deepEqual(audit.map((a) => a.action), expectedAudit);
      assert.ok(audit.every((a) => a.actor_id === t.admin.id), 'the audit names who did it');

      if (c.timeline) {
        const { rows } = await sql<{ activity_type: string }>`
          SELECT activity_type FROM activities
           WHERE lead_id = ${name === 'leads' ? record.id : parents.lead} AND metadata ->> 'entity_id' = ${record.id}
           ORDER BY created_at, id`.execute(t.database.db);
        assert.deepEqual(rows.map((row) => row.activity_type), expectedTimeline);
      }
    });
  }
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('converting a lead', () => {
  let t: TestApp;
  let agent: TestUser;
  let otherAgent: TestUser;
  let viewer: TestUser;

  before(async () => {
    t = await createTestApp();
    agent = await t.user('agent');
    otherAgent = await t.user('agent');
    viewer = await t.user('viewer');
  });
  after(async () => {
    await t.close();
  });

  const createLead = async (as: TestUser | TestApp['admin'], payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: as.headers, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  };
  const convert = (as: { headers: Record<string, string> }, id: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/convert`, headers: as.headers, ...(payload ? { payload } : {}) });
  const count = async (table: 'clients' | 'contacts' | 'opportunities') =>
    Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  test('creates a client, a contact and an opportunity from the lead, and marks it converted', async () => {
    const lead = await createLead(agent, {
      contact_person: 'Jane Roe',
      company_name: 'Globex Corp',
      email: 'jane@globex.example',
      phone: '+14155550101',
      industry: 'Manufacturing',
      city: 'Springfield',
      deal_value: 12000,
      budget_amount: 9000,
      budget_currency: 'EUR',
      expected_close_date: '2030-03-31',
    });
    const response = await convert(agent, lead.id, {});
    assert.equal(response.statusCode, 201, response.body);
    const { lead: converted, client, contact, opportunity } = response.json();

    assert.equal(converted.qualification_status, 'converted');
    assert.ok(converted.converted_at);
    assert.equal(converted.client_id, client.id);
    assert.equal(converted.agent_id, agent.id);

    assert.equal(client.client_name, 'Globex Corp');
    assert.equal(client.industry, 'Manufacturing');
    assert.equal(client.city, 'Springfield');
    assert.equal(client.agent_id, agent.id);

    assert.equal(contact.full_name, 'Jane Roe');
    assert.equal(contact.email, 'jane@globex.example');
    assert.equal(contact.phone, '+14155550101');
    assert.equal(contact.client_id, client.id);
    assert.equal(contact.is_primary, true);

    assert.equal(opportunity.name, 'Globex Corp - Jane Roe');
    assert.equal(opportunity.amount, 12000, 'deal value first');
    assert.equal(opportunity.currency, 'EUR');
    assert.equal(opportunity.close_date, '2030-03-31');
    assert.equal(opportunity.lead_id, lead.id);
    assert.equal(opportunity.client_id, client.id);
    assert.equal(opportunity.contact_id, contact.id);
    assert.equal(opportunity.agent_id, agent.id);
    assert.equal(opportunity.pipeline_stage_id, lead.pipeline_stage_id);
    assert.equal(opportunity.status, 'open');

    const timeline = await t.database.db
      .selectFrom('activities')
      .select(['activity_type', 'opportunity_id', 'metadata'])
      .where('lead_id', '=', lead.id)
      .orderBy('created_at')
      .execute();
    const types = timeline.map((a) => a.activity_type);
    assert.ok(types.includes('opportunity_created'), types.join());
    assert.ok(types.includes('lead_updated'), types.join());
    const converted_ = timeline.find((a) => a.activity_type === 'lead_converted');
    assert.ok(converted_);
    assert.equal(converted_.opportunity_id, opportunity.id);
    assert.deepEqual(converted_.metadata, {
      opportunity_id: opportunity.id,
      client_id: client.id,
      client_created: true,
      contact_id: contact.id,
      contact_created: true,
    });
    const audit = await t.database.db
      .selectFrom('admin_audit')
      .select(['table_name', 'action', 'actor_id'])
      .where('record_id', 'in', [client.id, contact.id, opportunity.id])
      .execute();
    assert.equal(audit.length, 3);
    assert.ok(audit.every((row) => row.action === 'create' && row.actor_id === agent.id));
  });

  test('converting twice answers 409 and writes nothing more', async () => {
    const lead = await createLead(agent, { contact_person: 'Twice', company_name: 'Twice Inc' });
    assert.equal((await convert(agent, lead.id)).statusCode, 201);
    const before = await Promise.all([count('clients'), count('contacts'), count('opportunities')]);
    const again = await convert(agent, lead.id);
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().code, 'conflict');
    assert.deepEqual(await Promise.all([count('clients'), count('contacts'), count('opportunities')]), before);
  });

  test('concurrent conversions of one lead create one opportunity', async () => {
    const lead = await createLead(agent, { contact_person: 'Race', company_name: 'Race Ltd' });
    const answers = await Promise.all([convert(agent, lead.id), convert(agent, lead.id), convert(agent, lead.id)]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409, 409]);
    const opportunities = await t.database.db.selectFrom('opportunities').select('id').where('lead_id', '=', lead.id).execute();
    assert.equal(opportunities.length, 1);
  });

  test("links the lead's own client, or an existing client by company name, and reuses its contact with the same email", async () => {
    const [existing] = await t.database.db
      .insertInto('clients')
      .values({ client_name: 'Initech', agent_id: agent.id })
      .returning(['id'])
      .execute();
    const [existingContact] = await t.database.db
      .insertInto('contacts')
      .values({ client_id: existing!.id, full_name: 'Peter Gibbons', email: 'peter@initech.example', agent_id: agent.id, is_primary: true })
      .returning(['id'])
      .execute();
    const clientsBefore = await count('clients');

    const byName = await createLead(agent, { contact_person: 'Peter G.', company_name: 'INITECH', email: 'Peter@Initech.example' });
    const response = await convert(agent, byName.id);
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json();
    assert.equal(body.client.id, existing!.id, 'matched case-insensitively');
    assert.equal(body.contact.id, existingContact!.id, 'same email, same contact');
    assert.equal(body.lead.client_id, existing!.id);

    const linked = await createLead(agent, { contact_person: 'Milton', company_name: 'Some Other Name', client_id: existing!.id });
    const second = (await convert(agent, linked.id)).json();
    assert.equal(second.client.id, existing!.id, "the lead's own client wins over its company name");
    assert.notEqual(second.contact.id, existingContact!.id);
    assert.equal(second.contact.full_name, 'Milton');
    assert.equal(second.contact.is_primary, false, 'the client already has a primary contact');
    assert.equal(await count('clients'), clientsBefore);
  });

  test("names the client after the person when there is no company; options override the lead's values", async () => {
    const stages = await t.database.db.selectFrom('pipeline_stages').select(['id', 'name', 'win_probability']).execute();
    const negotiation = stages.find((s) => s.name === 'Negotiation')!;
    const lead = await createLead(agent, { contact_person: 'Solo Trader', email: 'solo@example.com', budget_amount: 500 });
    const response = await convert(agent, lead.id, {
      opportunity_name: 'Solo deal',
      amount: 750,
      currency: 'GBP',
      close_date: '2031-01-15',
      pipeline_stage_id: negotiation.id,
      create_contact: false,
    });
    assert.equal(response.statusCode, 201, response.body);
    const { client, contact, opportunity, lead: converted } = response.json();
    assert.equal(client.client_name, 'Solo Trader');
    assert.equal(client.email, 'solo@example.com', 'a person client takes the lead email');
    assert.equal(contact, null);
    assert.equal(opportunity.name, 'Solo deal');
    assert.equal(opportunity.amount, 750);
    assert.equal(opportunity.currency, 'GBP');
    assert.equal(opportunity.close_date, '2031-01-15');
    assert.equal(opportunity.pipeline_stage_id, negotiation.id);
    assert.equal(opportunity.probability, negotiation.win_probability);
    assert.equal(opportunity.contact_id, null);
    assert.equal(converted.pipeline_stage_id, lead.pipeline_stage_id, "the lead's own stage does not move");

    const budgetOnly = await createLead(agent, { contact_person: 'Budget Only', budget_amount: 500 });
    const defaults = (await convert(agent, budgetOnly.id)).json();
    assert.equal(defaults.opportunity.amount, 500, 'budget when there is no deal value');
    assert.equal(defaults.opportunity.currency, 'USD');
    assert.equal(defaults.opportunity.name, 'Budget Only');
  });

  test('a failing conversion leaves nothing half written', async () => {
    const lead = await createLead(agent, { contact_person: 'Half', company_name: 'Half Written LLC' });
    const before = await Promise.all([count('clients'), count('contacts'), count('opportunities')]);
    const response = await convert(agent, lead.id, { pipeline_stage_id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(response.statusCode, 422, response.body);
    assert.deepEqual(await Promise.all([count('clients'), count('contacts'), count('opportunities')]), before);
    const fetched = (await t.app.inject({ method: 'GET', url: `/api/v1/leads/${lead.id}`, headers: agent.headers })).json();
    assert.equal(fetched.converted_at, null);
    assert.equal(fetched.qualification_status, 'unqualified');
  });

  test('a deleted lead, an unknown lead and another agent\'s lead answer 404; a viewer gets 403', async () => {
    const deleted = await createLead(agent, { contact_person: 'Gone' });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${deleted.id}`, headers: agent.headers });
    assert.equal((await convert(agent, deleted.id)).statusCode, 404);
    assert.equal((await convert(agent, '00000000-0000-4000-8000-000000000000')).statusCode, 404);

    const theirs = await createLead(otherAgent, { contact_person: 'Not yours', company_name: 'Theirs Co' });
    const before = await count('opportunities');
    const foreign = await convert(agent, theirs.id);
    assert.equal(foreign.statusCode, 404, foreign.body);
    const asViewer = await convert(viewer, theirs.id);
    assert.equal(asViewer.statusCode, 403, asViewer.body);
    assert.equal(await count('opportunities'), before);
  });

  test('an agent converting a pool lead takes it, and the deal is theirs (no body needed)', async () => {
    const ai = await t.database.db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow();
    const pool = await createLead(t.admin, { contact_person: 'Inbound Caller', company_name: 'Pool Co', agent_id: ai.id });
    const response = await convert(agent, pool.id);
    assert.equal(response.statusCode, 201, response.body);
    const { lead, client, opportunity } = response.json();
    assert.equal(lead.agent_id, agent.id);
    assert.equal(client.agent_id, agent.id);
    assert.equal(opportunity.agent_id, agent.id);
  });

  test('a manager converts a team member\'s lead for them', async () => {
    const manager = await t.user('manager');
    const report = await t.user('agent', { managerId: manager.id });
    const lead = await createLead(report, { contact_person: 'Team Lead', company_name: 'Team Co' });
    const response = await convert(manager, lead.id);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().opportunity.agent_id, report.id, 'the owner keeps the deal');
    assert.equal(response.json().lead.agent_id, report.id);
  });
});

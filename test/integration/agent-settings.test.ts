import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../support/test-app.js';

const DEFAULTS = { unqualified: 'New Lead', marketing_qualified: 'Contacted', sales_qualified: 'Qualified', opportunity: 'Demo Scheduled' };

describe("Clara's stage mapping (PATCH /agent/settings)", () => {
  let t: TestApp;
  const settings = async (payload: object) =>
    t.app.inject({ method: 'PATCH', url: '/api/v1/agent/settings', headers: t.admin.headers, payload });
  const stageName = async (leadId: string): Promise<string | undefined> => {
    const lead = (await t.app.inject({ url: `/api/v1/leads/${leadId}`, headers: t.admin.headers })).json();
    const stages = (await t.app.inject({ url: '/api/v1/pipeline_stages', headers: t.admin.headers })).json().data as { id: string; name: string }[];
    return stages.find((stage) => stage.id === lead.pipeline_stage_id)?.name;
  };

  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
  });
  after(async () => {
    await t.close();
  });

  test('a partial mapping is saved as sent, and the answer names the defaults the other statuses follow', async () => {
    const saved = await settings({ stage_mapping: { sales_qualified: 'Demo Scheduled' } });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().stage_mapping, { sales_qualified: 'Demo Scheduled' });
    assert.deepEqual(saved.json().default_stage_mapping, DEFAULTS);
    const read = (await t.app.inject({ url: '/api/v1/agent/settings', headers: t.admin.headers })).json();
    assert.deepEqual(read.stage_mapping, { sales_qualified: 'Demo Scheduled' });
    assert.deepEqual(read.default_stage_mapping, DEFAULTS);
  });

  test('Clara moves a lead to the mapped stage for a mapped status and to the default for the others', async () => {
    assert.equal((await settings({ stage_mapping: { sales_qualified: 'Demo Scheduled' } })).statusCode, 200);
    const started = await t.app.inject({ method: 'POST', url: '/api/v1/agent/sessions', headers: t.admin.headers, payload: { channel: 'web' } });
    assert.equal(started.statusCode, 201, started.body);
    const say = async (text: string) => {
      const turn = await t.app.inject({ method: 'POST', url: `/api/v1/agent/sessions/${started.json().id}/turns`, headers: t.admin.headers, payload: { text } });
      assert.equal(turn.statusCode, 200, turn.body);
      return turn.json() as { lead_id: string };
    };
    const { lead_id: leadId } = await say('hi this is rita moreno from moreno tiles, rita@morenotiles.com');
    assert.ok(leadId);
    // Not mapped: the default stage of an unqualified lead.
    assert.equal(await stageName(leadId), DEFAULTS.unqualified);
    await say('we need online booking for our showroom');
    await say('our budget is 40k and i sign off on it');
    await say('we want it this month');
    const lead = (await t.app.inject({ url: `/api/v1/leads/${leadId}`, headers: t.admin.headers })).json();
    assert.equal(lead.qualification_status, 'sales_qualified');
    assert.equal(await stageName(leadId), 'Demo Scheduled', 'the stage the admin mapped, not the default Qualified');
  });

  test('an empty mapping puts every status back on its default', async () => {
    assert.equal((await settings({ stage_mapping: { opportunity: 'Proposal Sent' } })).statusCode, 200);
    const saved = await settings({ stage_mapping: {} });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().stage_mapping, {});
  });

  test('an unknown status or an empty stage name is a 400 and changes nothing', async () => {
    assert.equal((await settings({ stage_mapping: { sales_qualified: 'Qualified' } })).statusCode, 200);
    for (const stage_mapping of [{ won: 'Closed Won' }, { opportunity: '' }, { opportunity: '   ' }, { opportunity: null }, ['Qualified']]) {
      const refused = await settings({ stage_mapping });
      assert.equal(refused.statusCode, 400, `${JSON.stringify(stage_mapping)}: ${refused.body}`);
      assert.match(refused.headers['content-type'] as string, /problem\+json/);
    }
    const read = (await t.app.inject({ url: '/api/v1/agent/settings', headers: t.admin.headers })).json();
    assert.deepEqual(read.stage_mapping, { sales_qualified: 'Qualified' });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

const CHILD_TABLES = ['calls', 'activities', 'notes', 'follow_ups', 'meetings', 'todos', 'opportunities', 'conversations'] as const;
type ChildTable = (typeof CHILD_TABLES)[number];

describe('duplicate leads', () => {
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

  const createLead = async (as: { headers: Record<string, string> }, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: as.headers, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string; updated_at: string } & Record<string, unknown>;
  };
  const merge = (as: { headers: Record<string, string> }, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/leads/merge', headers: as.headers, payload });
  const getLead = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: t.admin.headers })).json();

  /** One row in every child table, attached to the lead (inserted as the owner, like the agent or an import would). */
  async function addChildren(leadId: string): Promise<void> {
    const db = t.database.db;
    await db.insertInto('notes').values({ body: 'note', lead_id: leadId }).execute();
    await db.insertInto('activities').values({ activity_type: 'email_sent', subject: 'Sent pricing', lead_id: leadId }).execute();
    await db.insertInto('calls').values({ lead_id: leadId, call_type: 'ai_voice', transcript: 'hello' }).execute();
    await db.insertInto('follow_ups').values({ lead_id: leadId, due_date: '2030-01-01T10:00:00Z' }).execute();
    await db
      .insertInto('meetings')
      .values({ lead_id: leadId, title: 'Demo', start_time: '2030-01-02T10:00:00Z', end_time: '2030-01-02T10:30:00Z' })
      .execute();
    await db.insertInto('todos').values({ lead_id: leadId, title: 'Send contract' }).execute();
    await db.insertInto('opportunities').values({ lead_id: leadId, name: 'Old deal' }).execute();
    await db.insertInto('conversations').values({ lead_id: leadId, channel: 'web' }).execute();
  }

  async function childCounts(leadIds: string[]): Promise<Record<ChildTable, number>> {
    const counts = {} as Record<ChildTable, number>;
    for (const table of CHILD_TABLES) {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE lead_id = ANY (${leadIds}::uuid[])`.execute(t.database.db);
      counts[table] = rows[0]!.n;
    }
    return counts;
  }

  /** Everything a merge could touch, to prove a dry run leaves it all as it was. */
  async function snapshot(leadIds: string[]) {
    const { rows } = await sql<{ leads: unknown; children: unknown; activities: number; audit: number }>`
      SELECT (SELECT json_agg(l ORDER BY id) FROM (SELECT id, updated_at, deleted_at, merged_into_id, tags, lead_score, company_name
                                                    FROM leads WHERE id = ANY (${leadIds}::uuid[])) l) AS leads,
             (SELECT json_agg(c ORDER BY c.id) FROM (
                SELECT id, lead_id FROM calls UNION ALL SELECT id, lead_id FROM notes UNION ALL SELECT id, lead_id FROM follow_ups
                UNION ALL SELECT id, lead_id FROM meetings UNION ALL SELECT id, lead_id FROM todos
                UNION ALL SELECT id, lead_id FROM opportunities UNION ALL SELECT id, lead_id FROM conversations) c) AS children,
             (SELECT count(*)::int FROM activities) AS activities,
             (SELECT count(*)::int FROM admin_audit) AS audit`.execute(t.database.db);
    return rows[0];
  }

  test('lists groups of visible live leads sharing an email or a phone', async () => {
    const a1 = await createLead(agent, { contact_person: 'Dup One', email: 'dup@example.com' });
    const a2 = await createLead(agent, { contact_person: 'Dup Two', email: 'DUP@Example.com', phone: '+14155550199' });
    const a3 = await createLead(agent, { contact_person: 'Dup Three', phone: '(415) 555-0199' });
    const trashed = await createLead(agent, { contact_person: 'Dup Trashed', email: 'dup@example.com' });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${trashed.id}`, headers: agent.headers });
    const foreign = await createLead(otherAgent, { contact_person: 'Dup Foreign', email: 'dup@example.com' });
    await createLead(agent, { contact_person: 'Unique', email: 'unique@example.com' });

    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/leads/duplicates', headers: agent.headers });
    assert.equal(mine.statusCode, 200, mine.body);
    const groups = mine.json().data.map((g: { key: string; value: string; count: number; leads: { id: string }[] }) => ({
      key: g.key,
      value: g.value,
      count: g.count,
      ids: g.leads.map((lead) => lead.id),
    }));
    assert.deepEqual(groups, [
      { key: 'email', value: 'dup@example.com', count: 2, ids: [a1.id, a2.id] },
      { key: 'phone', value: '+14155550199', count: 2, ids: [a2.id, a3.id] },
    ]);

    const all = (await t.app.inject({ method: 'GET', url: '/api/v1/leads/duplicates', headers: viewer.headers })).json();
    const emailGroup = all.data.find((g: { key: string }) => g.key === 'email');
    assert.deepEqual(emailGroup.leads.map((lead: { id: string }) => lead.id), [a1.id, a2.id, foreign.id]);

    const first = (await t.app.inject({ method: 'GET', url: '/api/v1/leads/duplicates?limit=1', headers: agent.headers })).json();
    assert.equal(first.data.length, 1);
    assert.ok(first.next_cursor);
    const second = (
      await t.app.inject({ method: 'GET', url: `/api/v1/leads/duplicates?limit=1&cursor=${first.next_cursor}`, headers: agent.headers })
    ).json();
    assert.deepEqual(second.data.map((g: { key: string }) => g.key), ['phone']);
    assert.equal(second.next_cursor, null);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/leads/duplicates?cursor=nonsense', headers: agent.headers });
    assert.equal(bad.statusCode, 400);
  });

  test('merging moves every child record, fills empty fields, and trashes the duplicates', async () => {
    const primary = await createLead(agent, { contact_person: 'Ann Primary', email: 'ann@merge.example', tags: ['vip'], authority: 'unknown' });
    const older = await createLead(agent, {
      contact_person: 'Ann P.',
      company_name: 'Older Co',
      industry: 'Retail',
      authority: 'decision_maker',
      tags: ['vip', 'retail'],
    });
    const newer = await createLead(agent, { contact_person: 'Ann', company_name: 'Newer Co', phone: '+14155550142', tags: ['hot'] });
    await t.database.db
      .updateTable('leads')
      .set({ lead_score: 72, status_bucket: 'P2', score_breakdown: JSON.stringify([{ factor: 'budget', points: 30 }]) })
      .where('id', '=', newer.id)
      .execute();
    await t.database.db.updateTable('leads').set({ lead_score: 40 }).where('id', '=', primary.id).execute();
    await addChildren(older.id);
    await addChildren(newer.id);
    await addChildren(newer.id);
    const expectedMoved = await childCounts([older.id, newer.id]);
    const primaryChildrenBefore = await childCounts([primary.id]);

    const response = await merge(agent, { primary_id: primary.id, duplicate_ids: [older.id, newer.id] });
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json();
    assert.equal(report.dry_run, false);
    assert.deepEqual(report.merged_ids, [older.id, newer.id]);
    assert.deepEqual(report.moved, expectedMoved);
    assert.equal(report.moved.notes, 3);
    assert.equal(report.moved.calls, 3);

    const merged = report.primary;
    assert.equal(merged.contact_person, 'Ann Primary', 'the primary keeps what it has');
    assert.equal(merged.company_name, 'Newer Co', 'the most recently updated duplicate fills first');
    assert.equal(merged.industry, 'Retail', 'an older duplicate fills what the newer lacks');
    assert.equal(merged.phone, '+14155550142');
    assert.equal(merged.authority, 'decision_maker', '"unknown" counts as empty');
    assert.deepEqual(merged.tags, ['vip', 'hot', 'retail']);
    assert.equal(merged.lead_score, 72);
    assert.deepEqual(merged.score_breakdown, [{ factor: 'budget', points: 30 }]);
    assert.equal(merged.status_bucket, 'P2');
    for (const field of ['company_name', 'industry', 'phone', 'authority', 'tags', 'lead_score', 'score_breakdown', 'status_bucket']) {
      assert.ok(report.filled_fields.includes(field), `filled_fields has ${field}: ${report.filled_fields}`);
    }
    assert.ok(!report.filled_fields.includes('contact_person'));
    assert.deepEqual(await getLead(primary.id), merged, 'the report shows the stored lead');

    const afterMerge = await childCounts([primary.id]);
    const duplicatesAfter = await childCounts([older.id, newer.id]);
    for (const table of CHILD_TABLES) {
      if (table !== 'activities') assert.equal(duplicatesAfter[table], 0, `${table} left on a duplicate`);
      assert.ok(afterMerge[table] >= primaryChildrenBefore[table] + expectedMoved[table], table);
    }
    for (const id of [older.id, newer.id]) {
      const duplicate = await getLead(id);
      assert.ok(duplicate.deleted_at, 'trashed');
      assert.equal(duplicate.merged_into_id, primary.id);
    }
    const merges = await t.database.db
      .selectFrom('activities')
      .select(['metadata', 'created_by'])
      .where('lead_id', '=', primary.id)
      .where('activity_type', '=', 'leads_merged')
      .execute();
    assert.equal(merges.length, 1);
    assert.equal(merges[0]!.created_by, agent.id);
    assert.deepEqual((merges[0]!.metadata as { merged_ids: string[] }).merged_ids, [older.id, newer.id]);

    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/leads?q=ann', headers: agent.headers })).json();
    assert.deepEqual(listed.data.map((lead: { id: string }) => lead.id), [primary.id]);
  });

  test('a dry run reports exactly what the merge then does, and writes nothing', async () => {
    const primary = await createLead(agent, { contact_person: 'Dry Primary', tags: ['a'] });
    const duplicate = await createLead(agent, { contact_person: 'Dry Dup', company_name: 'Dry Co', email: 'dry@example.com', tags: ['b'] });
    await addChildren(duplicate.id);
    const ids = [primary.id, duplicate.id];
    const before = await snapshot(ids);

    const dry = await merge(agent, { primary_id: primary.id, duplicate_ids: [duplicate.id], dry_run: true });
    assert.equal(dry.statusCode, 200, dry.body);
    assert.deepEqual(await snapshot(ids), before, 'no lead, child, activity or audit row changed');

    const real = await merge(agent, { primary_id: primary.id, duplicate_ids: [duplicate.id] });
    assert.equal(real.statusCode, 200, real.body);
    const { dry_run: dryFlag, primary: dryPrimary, ...dryReport } = dry.json();
    const { dry_run: realFlag, primary: realPrimary, ...realReport } = real.json();
    assert.equal(dryFlag, true);
    assert.equal(realFlag, false);
    assert.deepEqual(dryReport, realReport);
    assert.deepEqual({ ...dryPrimary, updated_at: null }, { ...realPrimary, updated_at: null });
    assert.ok(dryReport.moved.notes === 1 && dryReport.filled_fields.includes('company_name'));
  });

  test('refuses bad requests and leads the caller cannot see, changing nothing', async () => {
    const mine = await createLead(agent, { contact_person: 'Mine' });
    const mineToo = await createLead(agent, { contact_person: 'Mine too' });
    const theirs = await createLead(otherAgent, { contact_person: 'Theirs' });
    const before = await snapshot([mine.id, mineToo.id, theirs.id]);

    const self = await merge(agent, { primary_id: mine.id, duplicate_ids: [mineToo.id, mine.id] });
    assert.equal(self.statusCode, 400, self.body);
    assert.equal((await merge(agent, { primary_id: mine.id, duplicate_ids: [] })).statusCode, 400);
    const tooMany = Array.from({ length: 21 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    assert.equal((await merge(agent, { primary_id: mine.id, duplicate_ids: tooMany })).statusCode, 400);

    const foreignDuplicate = await merge(agent, { primary_id: mine.id, duplicate_ids: [mineToo.id, theirs.id] });
    assert.equal(foreignDuplicate.statusCode, 404, foreignDuplicate.body);
    const foreignPrimary = await merge(agent, { primary_id: theirs.id, duplicate_ids: [mine.id], dry_run: true });
    assert.equal(foreignPrimary.statusCode, 404, foreignPrimary.body);
    const unknown = await merge(agent, { primary_id: mine.id, duplicate_ids: ['00000000-0000-4000-8000-000000000000'] });
    assert.equal(unknown.statusCode, 404);
    const asViewer = await merge(viewer, { primary_id: mine.id, duplicate_ids: [mineToo.id] });
    assert.equal(asViewer.statusCode, 403, asViewer.body);
    assert.deepEqual(await snapshot([mine.id, mineToo.id, theirs.id]), before);

    assert.equal((await merge(agent, { primary_id: mine.id, duplicate_ids: [mineToo.id] })).statusCode, 200);
    const again = await merge(agent, { primary_id: mine.id, duplicate_ids: [mineToo.id] });
    assert.equal(again.statusCode, 404, 'a merged duplicate is in the trash');
  });

  test('a manager merges leads across their team, and an agent folds a pool lead into their own', async () => {
    const manager = await t.user('manager');
    const report1 = await t.user('agent', { managerId: manager.id });
    const report2 = await t.user('agent', { managerId: manager.id });
    const a = await createLead(report1, { contact_person: 'Team A', email: 'team@example.com' });
    const b = await createLead(report2, { contact_person: 'Team B', email: 'team@example.com', city: 'Austin' });
    const teamMerge = await merge(manager, { primary_id: a.id, duplicate_ids: [b.id] });
    assert.equal(teamMerge.statusCode, 200, teamMerge.body);
    assert.equal(teamMerge.json().primary.city, 'Austin');
    assert.equal(teamMerge.json().primary.agent_id, report1.id);

    const pool = await createLead(t.admin, { contact_person: 'Pool caller', agent_id: null, need: 'CRM for 20 seats' });
    const own = await createLead(agent, { contact_person: 'Pool caller' });
    const poolMerge = await merge(agent, { primary_id: own.id, duplicate_ids: [pool.id] });
    assert.equal(poolMerge.statusCode, 200, poolMerge.body);
    assert.equal(poolMerge.json().primary.need, 'CRM for 20 seats');
  });
});

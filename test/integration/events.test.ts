import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

interface Stream {
  events: { table: string; op: string; id: string }[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Subscribes like a browser's EventSource would, over a real socket. */
function openStream(baseUrl: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const events: Stream['events'] = [];
    const request = http.get(`${baseUrl}/api/v1/events`, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`status ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: change') && data) events.push(JSON.parse(data.slice(6)));
        }
      });
      const ended = new Promise<void>((done) => response.on('end', () => done()));
      resolve({ events, ended, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('event stream', () => {
  let t: TestApp;
  let baseUrl: string;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await createTestApp();
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    alice = await t.user('agent');
    bob = await t.user('agent');
  });
  after(async () => {
    await t.close();
  });

  test('requires authentication', async () => {
    await assert.rejects(openStream(baseUrl, {}), /status 401/);
  });

  test("an agent hears of their own lead but never of another agent's", async () => {
    const aliceStream = await openStream(baseUrl, alice.headers);
    const bobStream = await openStream(baseUrl, bob.headers);
    const adminStream = await openStream(baseUrl, t.admin.headers);
    try {
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: alice.headers, payload: { contact_person: 'Secret Prospect' } });
      assert.equal(created.statusCode, 201);
      const leadId = created.json().id as string;
      const isLead = (e: { table: string; id: string }) => e.table === 'leads' && e.id === leadId;
      await waitFor(() => aliceStream.events.some(isLead), 'alice to hear of her lead');
      await waitFor(() => adminStream.events.some(isLead), 'the admin to hear of it');

      // A pool lead (unassigned) is visible to every agent: Bob hearing of it proves his stream works.
      const pool = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'Pool', agent_id: null } });
      await waitFor(() => bobStream.events.some((e) => e.id === pool.json().id), 'bob to hear of the pool lead');
      assert.equal(bobStream.events.some(isLead), false, "bob must not hear of alice's lead");
      const aliceActivities = await t.database.db.selectFrom('activities').select('id').where('lead_id', '=', leadId).execute();
      assert.ok(aliceActivities.length > 0);
      await waitFor(() => aliceActivities.every((a) => aliceStream.events.some((e) => e.id === a.id)), 'alice to hear of her activities');
      assert.equal(bobStream.events.some((e) => aliceActivities.some((a) => a.id === e.id)), false,
        "nor of the activities on alice's lead");
    } finally {
      aliceStream.close();
      bobStream.close();
      adminStream.close();
    }
  });

  test("an agent never hears of changes to another agent's lead or its records; the stream changes nothing", async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: alice.headers, payload: { contact_person: 'Quiet Prospect' } });
    const leadId = created.json().id as string;
    const aliceStream = await openStream(baseUrl, alice.headers);
    const bobStream = await openStream(baseUrl, bob.headers);
    try {
      const writes = [
        { method: 'PATCH' as const, url: `/api/v1/leads/${leadId}`, payload: { next_step: 'Send pricing' } },
        { method: 'POST' as const, url: '/api/v1/notes', payload: { body: 'Private note', lead_id: leadId } },
        { method: 'POST' as const, url: '/api/v1/calls', payload: { lead_id: leadId, call_type: 'manual', direction: 'outbound', transcript: 'Private call' } },
        { method: 'POST' as const, url: '/api/v1/follow_ups', payload: { lead_id: leadId, due_date: '2027-01-05T10:00:00.000Z' } },
        { method: 'DELETE' as const, url: `/api/v1/leads/${leadId}` },
      ];
      const ids = new Set([leadId]);
      for (const write of writes) {
        const response = await t.app.inject({ ...write, headers: alice.headers });
        assert.ok(response.statusCode < 300, `${write.method} ${write.url}: ${response.body}`);
        if (write.method === 'POST') ids.add(response.json().id as string);
      }
      for (const id of ids) await waitFor(() => aliceStream.events.some((e) => e.id === id), `alice to hear of ${id}`);
      await waitFor(() => aliceStream.events.filter((e) => e.id === leadId && e.op === 'update').length > 0, 'alice to hear of the update');

      // A pool lead, created last, is heard by Bob: everything before it has been delivered or filtered.
      const pool = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'Pool 2', agent_id: null } });
      await waitFor(() => bobStream.events.some((e) => e.id === pool.json().id), 'bob to hear of the pool lead');
      const leaked = bobStream.events.filter((e) => ids.has(e.id));
      assert.deepEqual(leaked, [], "bob hears nothing of alice's lead, its note, call, follow-up or timeline");
      const activities = await t.database.db.selectFrom('activities').select('id').where('lead_id', '=', leadId).execute();
      assert.equal(bobStream.events.some((e) => activities.some((a) => a.id === e.id)), false);

      // The stream is read-only: nothing but GET is routed there.
      for (const method of ['POST', 'PATCH', 'PUT', 'DELETE'] as const) {
        const response = await t.app.inject({ method, url: '/api/v1/events', headers: bob.headers, payload: { id: leadId, agent_id: bob.id } });
        assert.equal(response.statusCode, 404, `${method} /api/v1/events`);
      }
      const lead = await t.database.db.selectFrom('leads').select(['agent_id']).where('id', '=', leadId).executeTakeFirstOrThrow();
      assert.equal(lead.agent_id, alice.id);
    } finally {
      aliceStream.close();
      bobStream.close();
    }
  });

  test("a deactivated user's open stream ends, and hears nothing more, not even of the shared pool", async () => {
    const carol = await t.user('agent');
    const carolStream = await openStream(baseUrl, carol.headers);
    try {
      const first = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'Pool 3', agent_id: null } });
      await waitFor(() => carolStream.events.some((e) => e.id === first.json().id), 'carol to hear of a pool lead');
      const deactivated = await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${carol.id}`, headers: t.admin.headers });
      assert.ok(deactivated.statusCode < 300, deactivated.body);
      const later = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'Pool 4', agent_id: null } });
      await Promise.race([carolStream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), 5000))]);
      assert.equal(carolStream.events.some((e) => e.id === later.json().id), false);
      await assert.rejects(openStream(baseUrl, carol.headers), /status 401/);
    } finally {
      carolStream.close();
    }
  });

  test('once a lead is handed to another agent, the new owner hears of its changes and the old one no longer does', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: alice.headers, payload: { contact_person: 'Handed Over' } });
    const leadId = created.json().id as string;
    const aliceStream = await openStream(baseUrl, alice.headers);
    const bobStream = await openStream(baseUrl, bob.headers);
    try {
      const handed = await t.app.inject({ method: 'PATCH', url: `/api/v1/leads/${leadId}`, headers: t.admin.headers, payload: { agent_id: bob.id } });
      assert.equal(handed.statusCode, 200, handed.body);
      await waitFor(() => bobStream.events.some((e) => e.id === leadId), 'bob to hear of his new lead');
      const before = aliceStream.events.length;
      const note = await t.app.inject({ method: 'POST', url: '/api/v1/notes', headers: bob.headers, payload: { body: 'Mine now', lead_id: leadId } });
      assert.equal(note.statusCode, 201, note.body);
      await waitFor(() => bobStream.events.some((e) => e.id === note.json().id), 'bob to hear of his note');
      assert.equal(aliceStream.events.slice(before).some((e) => e.id === note.json().id || e.id === leadId), false);
    } finally {
      aliceStream.close();
      bobStream.close();
    }
  });
});

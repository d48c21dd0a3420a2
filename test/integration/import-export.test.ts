import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Actor } from '../../src/auth/actor.js';
import { importCsv, type ImportProgress } from '../../src/crm/import-export/import-csv.js';
import { defaultTargetResources, importTargets } from '../../src/crm/import-export/import-targets.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

interface Lead {
  id: string;
  contact_person: string | null;
  company_name: string | null;
  email: string | null;
  phone: string | null;
  deal_value: number | null;
  tags: string[];
  lead_source: string | null;
  agent_id: string | null;
  created_by: string | null;
  status_bucket: string;
  updated_at: string;
}

const csvHeaders = (user: TestUser) => ({ ...user.headers, 'content-type': 'text/csv' });

describe('CSV import and export', () => {
  let t: TestApp;
  let agent: TestUser;
  let otherAgent: TestUser;
  let viewer: TestUser;
  let tmp: string;

  const postCsv = (user: TestUser, csv: string, query: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/imports?${new URLSearchParams({ entity: 'leads', ...query })}`,
      headers: csvHeaders(user),
      payload: csv,
    });

  const leadsWhere = (column: 'email' | 'company_name' | 'contact_person', value: string) =>
    t.database.db.selectFrom('leads').selectAll().where(column, '=', value).where('deleted_at', 'is', null).execute() as Promise<unknown[]> as Promise<Lead[]>;

  const listIds = async (user: TestUser, query = '') => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/leads?limit=500${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ method: 'GET', url, headers: user.headers })).json();
      ids.push(...page.data.map((lead: Lead) => lead.id));
      cursor = page.next_cursor;
    } while (cursor);
    return ids.sort();
  };

  const exportRows = async (user: TestUser, query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/leads/export.csv${query ? `?${query}` : ''}`, headers: user.headers });
    assert.equal(response.statusCode, 200, response.body);
    const rows = parse(response.body, { bom: true, columns: true }) as Record<string, string>[];
    return { response, rows };
  };

  before(async () => {
    t = await createTestApp();
    agent = await t.user('agent');
    otherAgent = await t.user('agent');
    viewer = await t.user('viewer');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'clara-import-'));
  });
  after(async () => {
    await t.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('imports aliased columns and quoted fields, updates a duplicate, and reports bad rows by number without writing them', async () => {
    const existing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: t.admin.headers,
      payload: { contact_person: 'Old Name', email: 'dup@example.com', company_name: 'Old Co' },
    });
    assert.equal(existing.statusCode, 201);

    const csv = [
      'Full Name,E-mail,Mobile,Company,Deal Value,Tags,Source,Favourite Colour',
      '"Zoë Müller",zoe@example.com,(415) 555-0101,"Acme, Inc.","1,200.50","vip;q3",web,blue',
      'Bad Phone,badphone@example.com,12345,Nope Phone Co,,,,',
      'Bad Email,not-an-email,,Nope Email Co,,,,',
      '"Dup Person",DUP@Example.com,,"New Co",500,,,',
      '"Multi\nLine",multi@example.com,,"He said ""hi""",,,,',
      'José Núñez,jose@example.com,+34 612 345 678,,,,,',
    ].join('\r\n');
    const response = await postCsv(t.admin, csv, { file_name: 'people.csv' });
    assert.equal(response.statusCode, 201, response.body);
    const summary = response.json();
    assert.equal(summary.status, 'completed');
    assert.equal(summary.file_name, 'people.csv');
    assert.deepEqual(
      [summary.total_rows, summary.processed_rows, summary.created_count, summary.updated_count, summary.skipped_count, summary.failed_count],
      [6, 6, 3, 1, 0, 2],
    );
    assert.deepEqual(summary.ignored_columns, ['Favourite Colour']);
    assert.deepEqual(
      summary.errors.map((e: { row: number; field?: string }) => [e.row, e.field]),
      [
        [3, 'phone'],
        [4, 'email'],
      ],
    );
    assert.match(summary.errors[0].message, /12345/);

    const [zoe] = await leadsWhere('email', 'zoe@example.com');
    assert.ok(zoe);
    assert.equal(zoe.contact_person, 'Zoë Müller');
    assert.equal(zoe.company_name, 'Acme, Inc.');
    assert.equal(zoe.phone, '+14155550101');
    assert.equal(zoe.deal_value, 1200.5);
    assert.deepEqual(zoe.tags, ['vip', 'q3']);
    assert.equal(zoe.lead_source, 'web');
    assert.equal(zoe.agent_id, t.admin.id);

    const [multi] = await leadsWhere('email', 'multi@example.com');
    assert.equal(multi?.contact_person, 'Multi\nLine');
    assert.equal(multi?.company_name, 'He said "hi"');
    const [jose] = await leadsWhere('email', 'jose@example.com');
    assert.equal(jose?.contact_person, 'José Núñez');
    assert.equal(jose?.phone, '+34612345678');

    const dups = await leadsWhere('email', 'dup@example.com');
    assert.equal(dups.length, 1, 'the duplicate was updated, not created');
    assert.equal(dups[0]?.id, existing.json().id);
    assert.equal(dups[0]?.contact_person, 'Dup Person');
    assert.equal(dups[0]?.company_name, 'New Co');
    assert.equal(dups[0]?.deal_value, 500);

    for (const company of ['Nope Phone Co', 'Nope Email Co']) {
      assert.equal((await leadsWhere('company_name', company)).length, 0, `${company} was not written`);
    }
    const activities = await t.database.db
      .selectFrom('activities')
      .select('activity_type')
      .where('lead_id', '=', existing.json().id)
      .orderBy('created_at')
      .execute();
    assert.deepEqual(activities.map((a) => a.activity_type), ['lead_created', 'lead_updated']);

    const stored = await t.app.inject({ method: 'GET', url: `/api/v1/imports/${summary.id}`, headers: t.admin.headers });
    assert.equal(stored.statusCode, 200);
    assert.equal(stored.json().created_count, 3);
    assert.equal(stored.json().errors.length, 2);
    assert.ok(stored.json().finished_at);
  });

  test('a JSON body takes a mapping; dedupe=skip leaves matches alone and matches by phone', async () => {
    const csv = 'Who;Tel;Firm;Notes\nSkip Me;415 555 0101;Changed Co;x\nNew One;+1 212 555 0199;Fresh Co;y\n';
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: t.admin.headers,
      payload: { entity: 'leads', csv, dedupe: 'skip', mapping: { Who: 'contact_person', Tel: 'phone', Firm: 'company_name', Notes: '' } },
    });
    assert.equal(response.statusCode, 201, response.body);
    const summary = response.json();
    assert.deepEqual([summary.created_count, summary.updated_count, summary.skipped_count, summary.failed_count], [1, 0, 1, 0]);
    assert.deepEqual(summary.ignored_columns, ['Notes']);
    assert.equal((await leadsWhere('company_name', 'Changed Co')).length, 0, 'the phone match (Zoë) was skipped');
    assert.equal((await leadsWhere('company_name', 'Fresh Co')).length, 1);
  });

  test('a file naming one person twice makes one lead; dedupe=create makes another regardless', async () => {
    const csv = 'Name,Email,City\nTwice One,twice@example.com,Oslo\nTwice Again,TWICE@example.com,Bergen\nOther,other-twice@example.com,\n';
    const summary = (await postCsv(t.admin, csv)).json();
    assert.deepEqual([summary.created_count, summary.updated_count, summary.failed_count], [2, 1, 0]);
    const twice = await leadsWhere('email', 'twice@example.com');
    assert.equal(twice.length, 1);
    assert.equal(twice[0]?.contact_person, 'Twice Again');

    const again = (await postCsv(t.admin, 'Name,Email\nTwice Three,twice@example.com\n', { dedupe: 'create' })).json();
    assert.equal(again.created_count, 1);
    assert.equal((await leadsWhere('email', 'twice@example.com')).length, 2);
  });

  test('an imported lead gets what the API would give it: owner, creator, first stage, touch dates, defaults', async () => {
    const viaApi = (
      await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: agent.headers, payload: { contact_person: 'Twin', email: 'twin-api@example.com' } })
    ).json();
    const imported = await postCsv(agent, 'Name,Email\nTwin,twin-import@example.com\nTwin Two,twin-two@example.com\n');
    assert.equal(imported.json().created_count, 2);
    const [viaImport] = await leadsWhere('email', 'twin-import@example.com');
    const stable = (lead: object) => {
      const { id, email, created_at, updated_at, first_touch_date, last_touch_date, stage_changed_at, ...rest } = lead as Record<string, unknown>;
      assert.ok(first_touch_date && last_touch_date && stage_changed_at, 'touch and stage dates are set');
      return JSON.parse(JSON.stringify(rest));
    };
    const fromDb = await t.app.inject({ method: 'GET', url: `/api/v1/leads/${viaImport?.id}`, headers: agent.headers });
    assert.deepEqual(stable(fromDb.json()), stable(viaApi));
  });

  test('refuses what it cannot import with a problem: no entity, bad mapping, broken CSV, empty file', async () => {
    const noEntity = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: csvHeaders(t.admin), payload: 'Name\nA\n' });
    assert.equal(noEntity.statusCode, 400);
    const badMapping = await postCsv(t.admin, 'Name\nA\n', { mapping: JSON.stringify({ Name: 'lead_score' }) });
    assert.equal(badMapping.statusCode, 400);
    assert.match(badMapping.json().detail, /lead_score/);
    const broken = await postCsv(t.admin, 'Name,Email\n"Unclosed,a@example.com\nB,b@example.com\n');
    assert.equal(broken.statusCode, 400);
    assert.match(broken.json().detail, /not valid CSV/);
    const empty = await postCsv(t.admin, '\n');
    assert.equal(empty.statusCode, 400);
    const before = await t.app.inject({ method: 'GET', url: '/api/v1/imports?limit=500', headers: t.admin.headers });
    assert.ok(before.json().data.every((i: { status: string }) => i.status === 'completed'), 'refused files leave no import behind');
  });

  test('accepts a file over the global 1 MB body limit', async () => {
    const note = 'n'.repeat(40_000);
    const csv = ['Name,Notes', ...Array.from({ length: 40 }, (_, i) => `Big ${i},${note}`)].join('\n');
    assert.ok(csv.length > 1.5 * 1024 * 1024);
    const response = await postCsv(t.admin, csv);
    assert.equal(response.statusCode, 201, response.body.slice(0, 300));
    assert.equal(response.json().created_count, 40);
  });

  test('progress is committed batch by batch and readable while the import runs', async () => {
    const actor: Actor = { userId: t.admin.id, role: 'admin', email: t.admin.email, fullName: 'Administrator', via: 'session' };
    const targets = importTargets(defaultTargetResources({ defaultCountry: 'US' }), { defaultCountry: 'US' });
    const seen: { status: string; processed: number; reported: ImportProgress }[] = [];
    const csv = ['Name,Email', ...Array.from({ length: 5 }, (_, i) => `Progress ${i},progress${i}@example.com`)].join('\n');
    const summary = await importCsv(
      t.database.db,
      actor,
      { entity: 'leads', csv },
      {
        targets,
        batchSize: 2,
        onProgress: async (progress) => {
          const response = await t.app.inject({ method: 'GET', url: `/api/v1/imports/${progress.id}`, headers: t.admin.headers });
          seen.push({ status: response.json().status, processed: response.json().processed_rows, reported: progress });
        },
      },
    );
    assert.deepEqual(
      seen.map((s) => [s.status, s.processed, s.reported.processed_rows, s.reported.total_rows]),
      [
        ['running', 0, 0, 5],
        ['running', 2, 2, 5],
        ['running', 4, 4, 5],
        ['running', 5, 5, 5],
      ],
    );
    assert.equal(summary.status, 'completed');
    assert.equal(summary.created_count, 5);
  });

  test("an agent's import is theirs: leads assigned to them, rows they may not write refused, imports private; viewers get 403", async () => {
    const csv = ['Name,Email,Owner', 'Agent Lead,agent-lead@example.com,', `Not Mine,not-mine@example.com,${otherAgent.email}`].join('\n');
    const response = await postCsv(agent, csv);
    assert.equal(response.statusCode, 201, response.body);
    const summary = response.json();
    assert.deepEqual([summary.created_count, summary.failed_count], [1, 1]);
    assert.deepEqual(summary.errors.map((e: { row: number }) => e.row), [3]);
    assert.match(summary.errors[0].message, /not allowed/);
    const [lead] = await leadsWhere('email', 'agent-lead@example.com');
    assert.equal(lead?.agent_id, agent.id);
    assert.equal(lead?.created_by, agent.id);
    assert.equal((await leadsWhere('email', 'not-mine@example.com')).length, 0);

    const own = (await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: agent.headers })).json();
    assert.ok(own.data.some((i: { id: string }) => i.id === summary.id));
    assert.ok(own.data.every((i: { created_by: string }) => i.created_by === agent.id), 'an agent lists only their own imports');
    const others = (await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: otherAgent.headers })).json();
    assert.equal(others.data.length, 0);
    const hidden = await t.app.inject({ method: 'GET', url: `/api/v1/imports/${summary.id}`, headers: otherAgent.headers });
    assert.equal(hidden.statusCode, 404);
    const all = (await t.app.inject({ method: 'GET', url: '/api/v1/imports?limit=500', headers: t.admin.headers })).json();
    assert.ok(all.data.some((i: { id: string }) => i.id === summary.id), 'admins see every import');

    assert.equal((await postCsv(viewer, 'Name\nNope\n')).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: viewer.headers })).statusCode, 403);
  });

  test('export returns exactly the filtered rows as an attachment, with formulas escaped', async () => {
    for (const payload of [
      { contact_person: '=HYPERLINK("http://evil.example","click")', status_bucket: 'P1', email: 'formula@example.com' },
      { contact_person: '@SUM(1+1)', status_bucket: 'P1', company_name: '+cmd|calc' },
      { contact_person: 'Plain P2', status_bucket: 'P2', phone: '+14155550188' },
    ]) {
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload });
      assert.equal(created.statusCode, 201, created.body);
    }
    const { response, rows } = await exportRows(t.admin, 'status_bucket=P1');
    assert.match(response.headers['content-type'] as string, /^text\/csv/);
    assert.match(response.headers['content-disposition'] as string, /^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/);
    assert.deepEqual(rows.map((row) => row.id).sort(), await listIds(t.admin, 'status_bucket=P1'));
    assert.ok(rows.every((row) => row.status_bucket === 'P1'));
    const header = response.body.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    assert.ok(header?.startsWith('id,client_id,agent_id'), header);

    const byName = new Map(rows.map((row) => [row.email || row.company_name, row]));
    assert.equal(byName.get('formula@example.com')?.contact_person, `'=HYPERLINK("http://evil.example","click")`);
    assert.equal(byName.get("'+cmd|calc")?.contact_person, "'@SUM(1+1)");

    const p2 = (await exportRows(t.admin, 'status_bucket=P2&q=plain')).rows;
    assert.deepEqual(p2.map((row) => row.phone), ['+14155550188'], 'a phone number is not mistaken for a formula');

    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/leads/export.csv?status_bucket=P9', headers: t.admin.headers });
    assert.equal(bad.statusCode, 400);
    const paging = await t.app.inject({ method: 'GET', url: '/api/v1/leads/export.csv?limit=5', headers: t.admin.headers });
    assert.equal(paging.statusCode, 400, 'an export has no pages');
  });

  test('an agent exports only the leads they can see', async () => {
    const { rows } = await exportRows(agent);
    const visible = await listIds(agent);
    assert.deepEqual(rows.map((row) => row.id).sort(), visible);
    assert.ok(rows.some((row) => row.email === 'agent-lead@example.com'));
    assert.ok(!rows.some((row) => row.agent_id === t.admin.id), "no admin-owned lead leaks into the agent's export");
    const everything = await listIds(t.admin);
    assert.ok(everything.length > visible.length);
  });

  test('exporting then importing the file with dedupe=update changes nothing', async () => {
    const snapshot = async () =>
      (await t.database.db.selectFrom('leads').select(['id', 'updated_at']).orderBy('id').execute()).map((r) => `${r.id}@${r.updated_at}`);
    // The import itself is audited (its start and end, migration 019); the records must not be.
    const auditCount = async () =>
      Number((await t.database.db.selectFrom('admin_audit').select((eb) => eb.fn.countAll().as('n')).where('table_name', '<>', 'imports').executeTakeFirstOrThrow()).n);
    const before = await snapshot();
    const auditBefore = await auditCount();
    const exported = await t.app.inject({ method: 'GET', url: '/api/v1/leads/export.csv', headers: t.admin.headers });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: t.admin.headers,
      payload: { entity: 'leads', csv: exported.body, dedupe: 'update', file_name: 'round-trip.csv' },
    });
    assert.equal(response.statusCode, 201, response.body);
    const summary = response.json();
    assert.deepEqual(
      [summary.total_rows, summary.created_count, summary.updated_count, summary.failed_count, summary.skipped_count],
      [before.length, 0, 0, 0, before.length],
      JSON.stringify(summary.errors),
    );
    assert.deepEqual(await snapshot(), before);
    assert.equal(await auditCount(), auditBefore);
  });

  test('clara import shows a summary, imports the good rows and exits 1 when a row failed; clara export writes the file', async () => {
    const file = path.join(tmp, 'cli-leads.csv');
    await writeFile(file, 'Contact,Email Address,Phone\nCli One,cli1@example.com,415-555-0111\nCli Bad,cli-bad@example.com,999\n');
    const imported = await runClara(['import', 'leads', file], { DATABASE_URL: t.config.databaseUrl as string });
    assert.equal(imported.code, 1, imported.stderr);
    assert.match(imported.stdout, /2 rows - 1 created, 0 updated, 0 skipped, 1 failed/);
    assert.match(imported.stdout, /row 3, phone: .*999/);
    const [lead] = await leadsWhere('email', 'cli1@example.com');
    assert.equal(lead?.phone, '+14155550111');
    assert.equal(lead?.created_by, t.admin.id, 'the CLI acts as the first admin');
    assert.equal((await leadsWhere('email', 'cli-bad@example.com')).length, 0);

    const out = path.join(tmp, 'export.csv');
    const exported = await runClara(['export', 'leads', '--out', out, '--filter', 'q=cli', '--as', agent.email], {
      DATABASE_URL: t.config.databaseUrl as string,
    });
    assert.equal(exported.code, 0, exported.stderr);
    const rows = parse(await readFile(out, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    assert.deepEqual(rows, [], 'the agent cannot see the admin-owned CLI lead');
    const asAdmin = await runClara(['export', 'leads', '--filter', 'q=cli,status_bucket=P3'], { DATABASE_URL: t.config.databaseUrl as string });
    assert.equal(asAdmin.code, 0, asAdmin.stderr);
    const adminRows = parse(asAdmin.stdout, { bom: true, columns: true }) as Record<string, string>[];
    assert.deepEqual(adminRows.map((row) => row.email), ['cli1@example.com']);
  });
});

function runClara(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

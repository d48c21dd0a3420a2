import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { realErrors, screenshot, signIn, startE2E, type E2E } from './browser.js';

describe('dashboard, tasks, notifications, settings and roles in the browser', () => {
  let e2e: E2E;
  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    e2e.clara.app.inject({ method, url, headers: e2e.clara.admin.headers, ...(payload ? { payload } : {}) });

  before(async () => {
    e2e = await startE2E();
  });
  after(async () => {
    await e2e?.close();
  });

  test('the dashboard counts a lead created through the API without a reload', async () => {
    await api('POST', '/api/v1/leads', { contact_person: 'Ada Early', lead_source: 'website', status_bucket: 'P1' });
    const page = await e2e.page();
    await page.goto('/');
    const newLeads = page.locator('[data-stat="New leads"]');
    await newLeads.waitFor();
    assert.equal(await newLeads.textContent(), '1');
    await page.getByRole('region', { name: 'Leads over time' }).waitFor();
    await api('POST', '/api/v1/leads', { contact_person: 'Live Lead', lead_source: 'referral' });
    await page.locator('[data-stat="New leads"]', { hasText: '2' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'dashboard');
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test("every dashboard chart has its figures as a table: read by screen readers, shown on request", async () => {
    await api('POST', '/api/v1/leads', { contact_person: 'Chart Reader', lead_source: 'website' });
    const calls: [number, string][] = [[0.8, 'positive'], [0.6, 'positive'], [-0.7, 'negative']];
    for (const [score] of calls) {
      const call = await api('POST', '/api/v1/calls', { call_type: 'manual', direction: 'outbound', sentiment_score: score, duration_seconds: 60 });
      assert.equal(call.statusCode, 201, call.body);
    }
    const page = await e2e.page();
    await page.goto('/');
    const figures = (title: string) => page.getByRole('table', { name: `${title}: figures` });
    const rows = async (title: string) =>
      figures(title).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    // What the API says the period holds (the page's default: the last 30 days, in UTC here).
    const today = new Date();
    const from = new Date(today.getTime() - 29 * 86_400_000);
    const dashboard = (await api('GET', `/api/v1/analytics/dashboard?from=${from.toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}&tz=UTC`)).json();

    // Hidden from sight, not from screen readers: in the accessibility tree, beside the chart.
    await figures('Lead sources').waitFor({ state: 'attached' });
    // Visually hidden: inside a box of at most one pixel that clips what overflows it.
    const clipped = (title: string) =>
      figures(title).evaluate((table) => {
        for (let box = table.parentElement; box; box = box.parentElement) {
          const rect = box.getBoundingClientRect();
          if (getComputedStyle(box).overflow === 'hidden' && rect.width <= 1 && rect.height <= 1) return true;
        }
        return false;
      });
    assert.equal(await clipped('Lead sources'), true, 'visually hidden while the chart shows');
    const sources = await rows('Lead sources');
    for (const source of dashboard.sources.sources as { source: string | null; leads: number; qualified: number; won: number }[]) {
      assert.ok(
        sources.some((r) => r[0] === (source.source ?? 'unknown') && r[1] === String(source.leads) && r[2] === String(source.qualified) && r[3] === String(source.won)),
        `${JSON.stringify(source)} in ${JSON.stringify(sources)}`,
      );
    }
    assert.ok(sources.some((r) => r[0] === 'website'), 'the new lead counts under website');
    assert.deepEqual(
      await rows('Leads over time'),
      (dashboard.leads_over_time as { bucket: string; leads: number; qualified: number; p1: number }[]).map((b) => [b.bucket, String(b.leads), String(b.qualified), String(b.p1)]),
    );
    assert.deepEqual(await rows('Call sentiment'), [
      ['positive', '2', '67%'],
      ['negative', '1', '33%'],
    ]);

    // "Show as table" puts the table in the chart's place.
    const panel = page.getByRole('region', { name: 'Call sentiment' });
    await panel.getByRole('button', { name: 'Show as table: Call sentiment' }).click();
    await panel.locator('.recharts-wrapper').waitFor({ state: 'detached' });
    assert.equal(await clipped('Call sentiment'), false, 'shown in full');
    assert.ok(await figures('Call sentiment').getByRole('cell', { name: '67%' }).isVisible());
    assert.equal(await panel.getByRole('button', { name: 'Show as table: Call sentiment' }).getAttribute('aria-pressed'), 'true');
    await panel.getByRole('button', { name: 'Show as table: Call sentiment' }).click();
    await panel.locator('.recharts-wrapper').waitFor();
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('the theme follows the system preference; the toggle switches it and is remembered', async () => {
    const page = await e2e.page({ colorScheme: 'dark' });
    const scheme = () => page.evaluate(() => document.documentElement.dataset.mantineColorScheme);
    await page.getByRole('button', { name: 'Switch to the light theme' }).waitFor();
    assert.equal(await scheme(), 'dark', 'dark, as the system prefers');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await page.getByRole('button', { name: 'Switch to the light theme' }).click();
    await page.getByRole('button', { name: 'Switch to the dark theme' }).waitFor();
    assert.equal(await scheme(), 'light');
    assert.notEqual(await background(), dark);
    await page.reload();
    await page.getByRole('button', { name: 'Switch to the dark theme' }).waitFor();
    assert.equal(await scheme(), 'light', 'the choice outlives a reload, whatever the system prefers');
    await page.getByRole('button', { name: 'Switch to the dark theme' }).click();
    await page.goto('/pipeline');
    await page.getByRole('button', { name: 'Switch to the light theme' }).waitFor();
    await screenshot(page, 'pipeline-dark');
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('tasks: add a task, see it under today, complete it', async () => {
    const page = await e2e.page();
    await page.goto('/tasks');
    const soon = new Date(Date.now() + 60 * 60_000);
    const endOfDay = new Date();
    endOfDay.setUTCHours(23, 59, 0, 0);
    const due = soon < endOfDay ? soon : endOfDay;
    const local = due.toISOString().slice(0, 16);
    await page.getByLabel(/^New task/).fill('Send the proposal to NACA');
    await page.getByLabel('Due', { exact: true }).fill(local);
    await page.getByRole('button', { name: 'Add task' }).click();
    const today = page.getByRole('region', { name: due.getTime() > Date.now() ? 'today' : 'overdue' });
    const card = today.locator('[data-item="task"]', { hasText: 'Send the proposal to NACA' });
    await card.waitFor();
    await screenshot(page, 'tasks');
    await card.getByRole('button', { name: 'Complete' }).click();
    await card.waitFor({ state: 'detached' });
    const todos = (await api('GET', '/api/v1/todos?status=done')).json().data;
    assert.equal(todos[0]?.title, 'Send the proposal to NACA');
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test("tasks: a comment's author edits and deletes it (with an undo); others' comments offer no edits", async () => {
    const agent = await e2e.clara.user('agent', { name: 'Ann Agent' });
    const colleague = await e2e.clara.user('agent', { name: 'Carl Colleague' });
    const todo = (await e2e.clara.app.inject({ method: 'POST', url: '/api/v1/todos', headers: agent.headers, payload: { title: 'Chase the signed contract' } })).json();
    // The colleague sees Ann's task through its shared-pool lead, and comments first.
    const lead = (await api('POST', '/api/v1/leads', { contact_person: 'Shared Prospect', agent_id: null })).json();
    assert.equal((await e2e.clara.app.inject({ method: 'PATCH', url: `/api/v1/todos/${todo.id}`, headers: agent.headers, payload: { lead_id: lead.id } })).statusCode, 200);
    const theirs = await e2e.clara.app.inject({ method: 'POST', url: `/api/v1/todos/${todo.id}/comments`, headers: colleague.headers, payload: { body: 'Their legal team is on holiday.' } });
    assert.equal(theirs.statusCode, 201, theirs.body);

    const page = await e2e.page({ signIn: false });
    await signIn(page, agent.email, `password-${agent.email.split('-')[1]?.split('@')[0]}`, `/tasks/${todo.id}`);
    const drawer = page.getByRole('dialog', { name: 'Chase the signed contract' });
    const other = drawer.locator('[data-comment]', { hasText: 'Their legal team is on holiday.' });
    await other.waitFor();
    assert.equal(await other.getByRole('button').count(), 0, "no edit or delete on a colleague's comment");

    await drawer.getByLabel('Add a comment').fill('Sent a reminder on Monday.');
    await drawer.getByRole('button', { name: 'Add comment' }).click();
    const mine = drawer.locator('[data-comment]', { hasText: 'Sent a reminder on Monday.' });
    await mine.getByRole('button', { name: 'Edit comment: Sent a reminder on Monday.' }).click();
    const editor = drawer.getByLabel('Edit the comment');
    await editor.fill('Sent a reminder on Tuesday.');
    await drawer.getByRole('button', { name: 'Save comment' }).click();
    const edited = drawer.locator('[data-comment]', { hasText: 'Sent a reminder on Tuesday.' });
    await edited.getByText('· edited').waitFor();
    const comments = async () => (await api('GET', `/api/v1/todos/${todo.id}/comments`)).json().data.map((c: { body: string }) => c.body);
    assert.deepEqual(await comments(), ['Their legal team is on holiday.', 'Sent a reminder on Tuesday.']);

    await edited.getByRole('button', { name: 'Delete comment: Sent a reminder on Tuesday.' }).click();
    await edited.waitFor({ state: 'detached' });
    assert.deepEqual(await comments(), ['Their legal team is on holiday.']);
    await page.getByRole('button', { name: 'Undo' }).click();
    await drawer.locator('[data-comment]', { hasText: 'Sent a reminder on Tuesday.' }).waitFor();
    assert.deepEqual(await comments(), ['Their legal team is on holiday.', 'Sent a reminder on Tuesday.']);
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('tasks: comment on a task and attach a file; the task has its own address', async () => {
    const todo = (await api('POST', '/api/v1/todos', { title: 'Prepare the NACA contract', due_date: new Date(Date.now() + 3 * 86_400_000).toISOString() })).json();
    const page = await e2e.page();
    await page.goto('/tasks');
    await page.getByRole('link', { name: 'Prepare the NACA contract: comments and attachments' }).click();
    await page.waitForURL(new RegExp(`/tasks/${todo.id}$`));
    const drawer = page.getByRole('dialog', { name: 'Prepare the NACA contract' });
    await drawer.getByText('No comments yet.').waitFor();
    await drawer.getByLabel('Add a comment').fill('Legal wants net 30 terms.');
    await drawer.getByRole('button', { name: 'Add comment' }).click();
    await drawer.locator('[data-comment]', { hasText: 'Legal wants net 30 terms.' }).waitFor();

    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), drawer.getByRole('button', { name: 'Attach a file' }).click()]);
    await chooser.setFiles({ name: 'contract.txt', mimeType: 'text/plain', buffer: Buffer.from('Payment: net 30 days.') });
    const link = drawer.getByRole('list', { name: 'Attachments' }).getByRole('link', { name: 'contract.txt' });
    await link.waitFor();
    const download = await page.request.get(String(await link.getAttribute('href')));
    assert.equal(await download.text(), 'Payment: net 30 days.', 'the link serves the file');
    const comments = (await api('GET', `/api/v1/todos/${todo.id}/comments`)).json().data;
    assert.deepEqual(comments.map((c: { body: string }) => c.body), ['Legal wants net 30 terms.']);

    // A link to the task (as in a notification) opens it; Escape closes it back to the list.
    await page.reload();
    await drawer.locator('[data-comment]', { hasText: 'Legal wants net 30 terms.' }).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL(/\/tasks$/);
    await drawer.waitFor({ state: 'hidden' });
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('settings: the admin renames Clara and sees users, stages, rules and keys', async () => {
    const page = await e2e.page();
    await page.goto('/settings');
    await page.getByRole('table', { name: 'Users' }).getByText('admin@test.local').waitFor();
    await page.getByRole('tab', { name: 'Pipeline stages' }).click();
    await page.getByRole('button', { name: 'Move Contacted up' }).click();
    await page.getByRole('table', { name: 'Pipeline stages' }).locator('tbody tr').first().getByRole('button', { name: 'Move Contacted up' }).waitFor();
    const stages = (await api('GET', '/api/v1/pipeline_stages')).json().data as { name: string }[];
    assert.deepEqual(stages.slice(0, 2).map((s) => s.name), ['Contacted', 'New Lead']);
    await page.getByRole('button', { name: 'Move Contacted down' }).click();
    await page.getByRole('table', { name: 'Pipeline stages' }).locator('tbody tr').first().getByRole('button', { name: 'Move New Lead up' }).waitFor();
    await page.getByRole('tab', { name: 'Scoring rules' }).click();
    await page.getByRole('table', { name: 'Scoring rules' }).locator('tbody tr').first().waitFor();
    await page.getByLabel(/^New rule/).fill('Enterprise size');
    await page.getByRole('combobox', { name: 'Fact' }).fill('company_size');
    await page.getByRole('combobox', { name: 'Operator' }).click();
    await page.getByRole('option', { name: 'gte', exact: true }).click();
    await page.getByLabel(/^Value/).fill('500');
    await page.getByRole('textbox', { name: 'Points', exact: true }).fill('10');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('table', { name: 'Scoring rules' }).getByText('company_size gte 500').waitFor();
    const rule = (await api('GET', '/api/v1/lead_scoring_criteria/enterprise_size')).json();
    assert.deepEqual([rule.category, rule.condition, rule.points], ['fit', { field: 'company_size', op: 'gte', value: 500 }, 10]);
    await page.getByRole('button', { name: 'Delete rule Enterprise size' }).click();
    await page.getByRole('table', { name: 'Scoring rules' }).getByText('company_size gte 500').waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('website form');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('Copy this key now').waitFor();
    await page.getByRole('tab', { name: 'Clara' }).click();
    await page.getByLabel('Agent name').fill('Claire');
    await page.getByRole('button', { name: "Save Clara's settings" }).click();
    await page.getByText("Claire's settings saved").waitFor();
    assert.equal((await api('GET', '/api/v1/agent/settings')).json().agent_name, 'Claire');
    await screenshot(page, 'settings');
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test("settings: edit a rule's condition, Clara's stage mapping and my notification preferences", async () => {
    const created = await api('POST', '/api/v1/lead_scoring_criteria', {
      id: 'big_budget',
      name: 'Big budget',
      category: 'budget',
      condition: { field: 'budget_amount', op: 'gte', value: 50000 },
      points: 10,
    });
    assert.equal(created.statusCode, 201, created.body);
    const page = await e2e.page();
    await page.goto('/settings/scoring');
    const rules = page.getByRole('table', { name: 'Scoring rules' });
    await rules.getByText('budget_amount gte 50000').waitFor();
    await page.getByRole('button', { name: 'Edit the condition of Big budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'Condition of “Big budget”' });
    await dialog.getByRole('combobox', { name: 'Operator' }).click();
    await page.getByRole('option', { name: 'between', exact: true }).click();
    await dialog.getByLabel(/^Value/).fill('20000, 100000');
    await dialog.getByRole('button', { name: 'Save condition' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await rules.getByText('budget_amount between [20000,100000]').waitFor();
    const rule = (await api('GET', '/api/v1/lead_scoring_criteria/big_budget')).json();
    assert.deepEqual([rule.condition, rule.points], [{ field: 'budget_amount', op: 'between', value: [20000, 100000] }, 10]);

    await page.getByRole('tab', { name: 'Clara' }).click();
    const sql = page.getByRole('combobox', { name: 'Sales qualified leads go to' });
    await sql.click();
    await page.getByRole('option', { name: 'Demo Scheduled', exact: true }).click();
    await page.getByRole('button', { name: "Save Clara's settings" }).click();
    await page.getByText(/settings saved$/).first().waitFor();
    // Only the status given a stage is saved: the others keep following the default.
    assert.deepEqual((await api('GET', '/api/v1/agent/settings')).json().stage_mapping, { sales_qualified: 'Demo Scheduled' });
    // The empty ones show the server's default; clearing the chosen one puts it back on its default.
    assert.equal(await page.getByRole('combobox', { name: 'Opportunity leads go to' }).getAttribute('placeholder'), 'Demo Scheduled (default)');
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/v1/agent/settings'));
    await page.getByRole('button', { name: 'Clear: Sales qualified leads go to' }).click();
    await page.getByRole('button', { name: "Save Clara's settings" }).click();
    assert.equal((await saved).status(), 200);
    assert.deepEqual((await api('GET', '/api/v1/agent/settings')).json().stage_mapping, {});
    assert.equal(await sql.getAttribute('placeholder'), 'Qualified (default)');

    await page.getByRole('tab', { name: 'My notifications' }).click();
    const email = page.getByRole('switch', { name: 'A lead becomes P1 (hot): by email' });
    assert.equal(await email.isChecked(), true, 'on until turned off');
    // Keyboard: the switch takes focus and space toggles it.
    await email.focus();
    await page.keyboard.press('Space');
    await page.getByText('Notification preferences saved').waitFor();
    assert.deepEqual((await api('GET', '/api/v1/notification_preferences')).json(), { lead_p1: { in_app: true, email: false } });
    await page.reload();
    await page.getByRole('switch', { name: 'A lead becomes P1 (hot): by email' }).waitFor();
    assert.equal(await page.getByRole('switch', { name: 'A lead becomes P1 (hot): by email' }).isChecked(), false, 'kept after a reload');
    assert.equal(await page.getByRole('switch', { name: 'A lead becomes P1 (hot): in the app' }).isChecked(), true);
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('a viewer reads but is offered no edits', async () => {
    const viewer = await e2e.clara.user('viewer');
    await api('POST', '/api/v1/leads', { contact_person: 'Read Only Lead' });
    const page = await e2e.page({ signIn: false });
    const password = `password-${viewer.email.split('-')[1]?.split('@')[0]}`;
    await signIn(page, viewer.email, password);
    await page.getByRole('link', { name: 'Leads' }).click();
    await page.getByRole('row').filter({ hasText: 'Read Only Lead' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New lead' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Actions for/ }).count(), 0);
    await page.goto('/settings');
    await page.getByText('Only admins change settings').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'API keys' }).count(), 0);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    assert.deepEqual(realErrors(e2e.errors), []);
  });
});

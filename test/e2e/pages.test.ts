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
    await page.getByText(/settings saved$/).waitFor();
    // The API takes the mapping whole: the statuses left empty are saved with their defaults.
    assert.deepEqual((await api('GET', '/api/v1/agent/settings')).json().stage_mapping, {
      unqualified: 'New Lead',
      marketing_qualified: 'Contacted',
      sales_qualified: 'Demo Scheduled',
      opportunity: 'Demo Scheduled',
    });

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

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { realErrors, startE2E, type E2E } from './browser.js';

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is; serious and critical findings fail. */
async function audit(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's CSP (rightly) refuses inline scripts.
  await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160)).join(' | ')}`);
}

describe('accessibility of the main pages (axe-core, WCAG 2.1 AA)', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await startE2E();
    const lead = await e2e.clara.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: e2e.clara.admin.headers,
      payload: { contact_person: 'Axe Tester', company_name: 'Audit Co', deal_value: 5000, budget_amount: 20000, authority: 'decision_maker' },
    });
    assert.equal(lead.statusCode, 201);
  });
  after(async () => {
    await e2e?.close();
  });

  test('the sign-in page', async () => {
    const page = await e2e.page({ signIn: false });
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await audit(page), []);
  });

  for (const [path, ready] of [
    ['/leads', 'Axe Tester'],
    ['/pipeline', 'Axe Tester'],
    ['/calendar', 'Today'],
    ['/calls', 'No calls match.'],
    ['/tasks', 'Nothing overdue.'],
    ['/clara', 'Start a conversation to meet Clara.'],
    ['/notifications', 'No notifications.'],
    ['/settings', 'admin@test.local'],
    ['/settings/clara', 'Pipeline stage per qualification status'],
    ['/settings/notifications', 'A lead becomes P1 (hot)'],
  ] as const) {
    test(`the page ${path}`, async () => {
      const page = await e2e.page();
      await page.goto(path);
      await page.getByText(ready).first().waitFor();
      assert.deepEqual(await audit(page), []);
    });
  }

  test('the dashboard', async () => {
    const page = await e2e.page();
    await page.goto('/');
    await page.getByRole('region', { name: 'Leads over time' }).locator('svg').first().waitFor();
    assert.deepEqual(await audit(page), []);
  });

  test('a lead page', async () => {
    const page = await e2e.page();
    await page.goto('/leads');
    await page.getByRole('link', { name: 'Axe Tester' }).click();
    await page.getByRole('heading', { name: 'BANT' }).waitFor();
    await page.getByText('No ROI calculation or chat session.').waitFor();
    assert.deepEqual(await audit(page), []);
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test("a task's comments and attachments", async () => {
    const todo = await e2e.clara.app.inject({ method: 'POST', url: '/api/v1/todos', headers: e2e.clara.admin.headers, payload: { title: 'Audit the drawer' } });
    const page = await e2e.page();
    await page.goto(`/tasks/${todo.json().id}`);
    await page.getByRole('dialog', { name: 'Audit the drawer' }).getByText('No comments yet.').waitFor();
    assert.deepEqual(await audit(page), []);
    assert.deepEqual(realErrors(e2e.errors), []);
  });
});

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
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it is, in the theme given; serious and critical findings fail. */
async function audit(page: Page, scheme: 'light' | 'dark'): Promise<string[]> {
  assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), scheme, 'the page is in the theme audited');
  // Evaluated through the DevTools protocol: the app's CSP (rightly) refuses inline scripts.
  await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => `${n.html.slice(0, 160)} (${n.failureSummary ?? ''})`).join(' | ')}`);
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
    // A stage change, so that the lead page's timeline shows one.
    const stages = (await e2e.clara.app.inject({ url: '/api/v1/pipeline_stages', headers: e2e.clara.admin.headers })).json().data as { id: string; name: string }[];
    const contacted = stages.find((stage) => stage.name === 'Contacted');
    const moved = await e2e.clara.app.inject({ method: 'PATCH', url: `/api/v1/leads/${lead.json().id}`, headers: e2e.clara.admin.headers, payload: { pipeline_stage_id: contacted?.id } });
    assert.equal(moved.statusCode, 200, moved.body);
  });
  after(async () => {
    await e2e?.close();
  });

  // Both themes: the system's preference picks one (the theme toggle is tested in pages.test.ts).
  for (const scheme of ['light', 'dark'] as const) {
    test(`the sign-in page (${scheme})`, async () => {
      const page = await e2e.page({ signIn: false, colorScheme: scheme });
      await page.goto('/login');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.deepEqual(await audit(page, scheme), []);
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
      test(`the page ${path} (${scheme})`, async () => {
        const page = await e2e.page({ colorScheme: scheme });
        await page.goto(path);
        await page.getByText(ready).first().waitFor();
        assert.deepEqual(await audit(page, scheme), []);
      });
    }

    test(`the dashboard (${scheme})`, async () => {
      const page = await e2e.page({ colorScheme: scheme });
      await page.goto('/');
      await page.getByRole('region', { name: 'Leads over time' }).locator('svg').first().waitFor();
      assert.deepEqual(await audit(page, scheme), []);
    });

    test(`a lead page (${scheme})`, async () => {
      const page = await e2e.page({ colorScheme: scheme });
      await page.goto('/leads');
      await page.getByRole('link', { name: 'Axe Tester' }).click();
      await page.getByRole('heading', { name: 'BANT' }).waitFor();
      await page.getByText('No ROI calculation or chat session.').waitFor();
      await page.locator('[data-stage-change="New Lead -> Contacted"]').waitFor();
      assert.deepEqual(await audit(page, scheme), []);
      assert.deepEqual(realErrors(e2e.errors), []);
    });

    test(`a task's comments and attachments (${scheme})`, async () => {
      const todo = await e2e.clara.app.inject({ method: 'POST', url: '/api/v1/todos', headers: e2e.clara.admin.headers, payload: { title: `Audit the drawer (${scheme})` } });
      const page = await e2e.page({ colorScheme: scheme });
      await page.goto(`/tasks/${todo.json().id}`);
      await page.getByRole('dialog', { name: `Audit the drawer (${scheme})` }).getByText('No comments yet.').waitFor();
      assert.deepEqual(await audit(page, scheme), []);
      assert.deepEqual(realErrors(e2e.errors), []);
    });
  }
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { realErrors, screenshot, startE2E, type E2E } from './browser.js';

describe('live updates and Talk to Clara in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await startE2E();
  });
  after(async () => {
    await e2e?.close();
  });

  test('a lead created through the API appears without a reload', async () => {
    const page = await e2e.page();
    await page.goto('/leads');
    await page.getByText('No leads match.').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    const created = await e2e.clara.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { authorization: (await e2e.clara.apiKey('admin')).headers.authorization },
      payload: { contact_person: 'Margaret Hamilton', company_name: 'Apollo Software', lead_source: 'api' },
    });
    assert.equal(created.statusCode, 201, created.body);
    await page.getByRole('row').filter({ hasText: 'Margaret Hamilton' }).waitFor({ timeout: 10_000 });
    assert.equal(navigations, 0, 'no reload');
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('talking to Clara writes a lead with a score, shown live beside the chat', async () => {
    const page = await e2e.page();
    await page.goto('/clara');
    await page.getByRole('button', { name: 'Start a conversation' }).click();
    await page.locator('[data-role="assistant"], [role="alert"]').first().waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, `Clara answered: ${await page.getByRole('alert').first().textContent().catch(() => '')} ${e2e.errors.join('; ')}`);
    const lines = [
      'hi this is maria garcia from brightpath logistics',
      'we keep missing calls after hours and losing leads',
      'our budget is around 20k',
      'i need to run it by my boss',
      'we want something in place this month',
      'maria.garcia@brightpath.com',
    ];
    for (const [index, line] of lines.entries()) {
      await page.getByRole('textbox', { name: 'Your message' }).fill(line);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('[data-role="assistant"]').nth(index + 1).waitFor({ timeout: 20_000 });
    }
    await page.getByRole('link', { name: 'Maria Garcia' }).waitFor();
    const score = Number((await page.getByTestId('live-score').textContent())?.replace(/\D/g, ''));
    assert.ok(score > 0, `a score (${score})`);
    await page.getByRole('table', { name: 'Extracted facts' }).getByText('maria.garcia@brightpath.com').waitFor();
    await screenshot(page, 'talk-to-clara');

    const leads = await e2e.clara.app.inject({ url: '/api/v1/leads?q=brightpath', headers: e2e.clara.admin.headers });
    const lead = leads.json().data[0];
    assert.equal(lead.contact_person, 'Maria Garcia');
    assert.equal(lead.lead_score, score);
    assert.ok(lead.score_breakdown.length > 0);

    await page.getByRole('button', { name: 'End conversation' }).click();
    await page.getByRole('button', { name: 'End conversation' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Maria Garcia' }).click();
    await page.getByRole('table', { name: 'Score breakdown' }).waitFor();
    await page.getByRole('button', { name: /Ai chat/ }).click();
    await screenshot(page, 'lead');

    // The conversation is now a call whose transcript is searchable.
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByLabel('Search transcripts').fill('brightpath');
    const row = page.getByRole('table', { name: 'Calls' }).locator('tbody tr').first();
    await row.getByText('Ai chat').waitFor();
    await row.getByRole('button').first().click();
    await page.getByRole('dialog').getByText('maria.garcia@brightpath.com').first().waitFor();
    await screenshot(page, 'calls');
    assert.deepEqual(realErrors(e2e.errors), []);
  });
});

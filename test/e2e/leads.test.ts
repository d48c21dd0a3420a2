import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { realErrors, screenshot, startE2E, type E2E } from './browser.js';

describe('leads in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await startE2E();
  });
  after(async () => {
    await e2e?.close();
  });

  test('a wrong password is refused with a message; the right one opens the app', async () => {
    const page = await e2e.page({ signIn: false });
    await page.goto('/leads');
    await page.waitForURL(/\/login\?next=%2Fleads/);
    await screenshot(page, 'login');
    await page.getByLabel(/^Email/).fill('admin@test.local');
    await page.getByLabel(/^Password/).fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();
    await page.getByLabel(/^Password/).fill('admin-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/leads$/);
    await page.getByRole('heading', { name: 'Leads' }).waitFor();
  });

  test('create, edit, search and delete a lead', async () => {
    const page = await e2e.page();
    await page.goto('/leads');
    await page.getByRole('button', { name: 'New lead' }).click();
    const dialog = page.getByRole('dialog', { name: 'New lead' });
    await dialog.getByLabel('Contact name').fill('Ada Lovelace');
    await dialog.getByLabel('Company').fill('Analytical Engines');
    await dialog.getByLabel(/^Email/).fill('ada@engines.example');
    await dialog.getByLabel('Lead source').fill('referral');
    await dialog.getByRole('button', { name: 'Create lead' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'Ada Lovelace' });
    await row.waitFor();

    await row.getByRole('button', { name: 'Actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit lead' });
    await edit.getByLabel('Company').fill('Difference Engines Ltd');
    await edit.getByRole('button', { name: 'Save lead' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: 'Difference Engines Ltd' }).waitFor();

    // A second lead, through the API, so that the search has something to leave out.
    const other = await e2e.clara.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: e2e.clara.admin.headers,
      payload: { contact_person: 'Grace Hopper', company_name: 'Navy', lead_source: 'website' },
    });
    assert.equal(other.statusCode, 201);
    await page.getByRole('row').filter({ hasText: 'Grace Hopper' }).waitFor();
    await screenshot(page, 'leads');

    await page.getByLabel('Search').fill('differ');
    await page.waitForURL(/q=differ/);
    await page.getByRole('row').filter({ hasText: 'Grace Hopper' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('row').filter({ hasText: 'Ada Lovelace' }).count(), 1);

    await page.getByRole('row').filter({ hasText: 'Ada Lovelace' }).getByRole('button', { name: 'Actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete lead?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No leads match.').waitFor();

    const list = await e2e.clara.app.inject({ url: '/api/v1/leads?q=lovelace', headers: e2e.clara.admin.headers });
    assert.equal(list.json().data.length, 0, 'the lead is in the trash');

    // The switch is driven by the URL: wait for the navigation rather than the checkbox state.
    await page.getByLabel('Trash').click();
    await page.waitForURL(/trash=1/);
    const trashed = page.getByRole('row').filter({ hasText: 'Ada Lovelace' });
    await trashed.getByRole('button', { name: 'Actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'Restore' }).click();
    await trashed.waitFor({ state: 'detached' });
    const restored = await e2e.clara.app.inject({ url: '/api/v1/leads?q=lovelace', headers: e2e.clara.admin.headers });
    assert.equal(restored.json().data.length, 1, 'restored from the trash');
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('import leads from a CSV file and see the rows it refused', async () => {
    const page = await e2e.page();
    await page.goto('/leads');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import leads from CSV' });
    const csv = 'Full Name,E-mail,Company,Deal Value\nAlan Turing,alan@bletchley.example,Bletchley Park,12000\nJoan Clarke,not-an-email,Bletchley Park,5000\n';
    await dialog.locator('input[type="file"]').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByText(/1 created, 0 updated, 0 skipped, 1 failed of 2 rows/).waitFor();
    await dialog.getByRole('list', { name: 'Rows not imported' }).getByText('Row 3').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row').filter({ hasText: 'Alan Turing' }).waitFor();
    assert.deepEqual(realErrors(e2e.errors), []);
  });
});

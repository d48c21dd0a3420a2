/**
 * The chat widget as a visitor meets it: a page on another origin (a local HTTP server standing
 * in for the customer's website) embeds `<script src=".../widget.js" data-key="pk_...">`, and
 * the conversation crosses origins through CORS to Clara, which files the lead.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startE2E, type E2E } from './browser.js';

describe('the chat widget on another website', () => {
  let e2e: E2E;
  let site: Server;
  let siteUrl: string;
  let key = '';

  before(async () => {
    e2e = await startE2E({ CLARA_TIMEZONE: 'UTC' });
    // The customer's website: any page, on its own origin, with the widget's script tag.
    site = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(
        `<!doctype html><html lang="en"><head><title>Acme Dental</title></head><body><h1>Acme Dental</h1>` +
          `<script src="${e2e.baseUrl}/widget.js" data-key="${key}" data-title="Chat with Acme"></script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const created = await e2e.clara.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: e2e.clara.admin.headers,
      payload: { name: 'Acme Dental', allowed_origins: [siteUrl] },
    });
    assert.equal(created.statusCode, 201, created.body);
    key = created.json().publishable_key;
  });
  after(async () => {
    await new Promise((resolve) => site.close(resolve));
    await e2e.close();
  });

  test('a visitor chats with Clara from the website and becomes a lead', async () => {
    const page = await e2e.page({ signIn: false });
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Chat with Acme' }).click();
    const log = page.getByRole('log');
    await log.locator('[data-role="assistant"]').first().waitFor();
    await page.getByLabel('Your message').fill("hi i'm nina park from park family dental, nina@parkdental.com");
    await page.getByLabel('Your message').press('Enter');
    await log.locator('[data-role="assistant"]').nth(1).waitFor();
    assert.match(await log.locator('[data-role="user"]').first().textContent() ?? '', /nina park/);

    const leads = (await e2e.clara.app.inject({ url: '/api/v1/leads?email=nina%40parkdental.com', headers: e2e.clara.admin.headers })).json().data;
    assert.equal(leads.length, 1);
    assert.equal(leads[0].contact_person, 'Nina Park');
    assert.ok(leads[0].voice_session_id, 'the lead links the widget conversation');

    // A reload resumes the same conversation from the visitor's browser.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with Acme' }).click();
    await log.locator('[data-role="user"]').first().waitFor();
    assert.equal(await log.locator('[data-role="user"]').count(), 1);
    assert.deepEqual(e2e.errors, []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { realErrors, screenshot, startE2E, type E2E } from './browser.js';

describe('pipeline board, lead page and calendar in the browser', () => {
  let e2e: E2E;
  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const response = await e2e.clara.app.inject({ method, url, headers: e2e.clara.admin.headers, ...(payload ? { payload } : {}) });
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const stageId = async (name: string): Promise<string> => {
    const stages = (await api('GET', '/api/v1/pipeline_stages')).data as { id: string; name: string }[];
    const stage = stages.find((s) => s.name === name);
    assert.ok(stage, `stage ${name}`);
    return stage.id;
  };

  before(async () => {
    e2e = await startE2E();
  });
  after(async () => {
    await e2e?.close();
  });

  test('dragging a lead card to another column moves the lead to that stage', async () => {
    const newLead = await stageId('New Lead');
    const contacted = await stageId('Contacted');
    const lead = await api('POST', '/api/v1/leads', { contact_person: 'Katherine Johnson', company_name: 'NACA', deal_value: 40000, pipeline_stage_id: newLead });
    await api('POST', '/api/v1/leads', { contact_person: 'Dorothy Vaughan', company_name: 'NACA', deal_value: 10000, pipeline_stage_id: contacted });
    // A board that looks like a week of work (for the screenshot); none of these move.
    const more: [string, string, number, string, 'P1' | 'P2' | 'P3'][] = [
      ['Mary Jackson', 'Langley Aero', 25000, 'Qualified', 'P2'],
      ['Annie Easley', 'Lewis Labs', 60000, 'Demo Scheduled', 'P1'],
      ['Christine Darden', 'Sonic Boom Co', 90000, 'Proposal Sent', 'P1'],
      ['Evelyn Boyd', 'Orbit Analytics', 15000, 'Qualified', 'P3'],
    ];
    for (const [name, company, value, stage, bucket] of more) {
      await api('POST', '/api/v1/leads', { contact_person: name, company_name: company, deal_value: value, pipeline_stage_id: await stageId(stage), status_bucket: bucket });
    }

    const page = await e2e.page();
    await page.goto('/pipeline');
    const card = page.locator(`[data-lead-card="${lead.id}"]`);
    const target = page.locator('[data-stage-column="Contacted"]');
    await card.waitFor();
    await screenshot(page, 'pipeline');

    const from = await card.boundingBox();
    const to = await target.boundingBox();
    assert.ok(from && to);
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + 120, { steps: 15 });
    await page.mouse.up();

    await target.locator(`[data-lead-card="${lead.id}"]`).waitFor();
    for (let i = 0; i < 50; i++) {
      if ((await api('GET', `/api/v1/leads/${lead.id}`)).pipeline_stage_id === contacted) break;
      await page.waitForTimeout(100);
    }
    assert.equal((await api('GET', `/api/v1/leads/${lead.id}`)).pipeline_stage_id, contacted);
    // Both cards now count in Contacted, weighted at the stage's 10%: 5,000.
    await target.getByText('$5,000 weighted').waitFor();
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('the lead page shows the score breakdown, BANT and timeline; a note can be added', async () => {
    const lead = await api('POST', '/api/v1/leads', {
      contact_person: 'Hedy Lamarr',
      company_name: 'Frequency Hopping Inc',
      email: 'hedy@example.com',
      budget_amount: 60000,
      authority: 'decision_maker',
      need: 'secure radio',
      timeline: 'this_month',
    });
    const page = await e2e.page();
    await page.goto(`/leads/${lead.id}`);
    await page.getByRole('heading', { name: 'Hedy Lamarr' }).waitFor();
    await page.getByRole('heading', { name: 'BANT' }).waitFor();
    await page.getByText('Decision maker').waitFor();
    await page.getByRole('tab', { name: 'Notes' }).click();
    await page.getByLabel('Add a note').fill('Prefers email; call after 3pm.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Prefers email; call after 3pm.').waitFor();
    await page.getByRole('tab', { name: 'Tasks' }).click();
    await page.getByRole('textbox', { name: /^Task/ }).fill('Send the security whitepaper');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByRole('table', { name: 'Tasks' }).getByText('Send the security whitepaper').waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).click();
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('dragging a meeting in the week view reschedules it', async () => {
    const start = new Date();
    start.setUTCHours(10, 0, 0, 0);
    const end = new Date(start.getTime() + 30 * 60_000);
    const meeting = await api('POST', '/api/v1/meetings', { title: 'Demo with NACA', start_time: start.toISOString(), end_time: end.toISOString() });

    const page = await e2e.page();
    await page.goto('/calendar');
    const event = page.locator(`[data-meeting-id="${meeting.id}"]`);
    await event.waitFor();
    await screenshot(page, 'calendar');
    const slot = await page.locator('.fc-timegrid-slot-lane').first().boundingBox();
    const box = await event.boundingBox();
    assert.ok(slot && box);
    // Two half-hour slots down: one hour later.
    await page.mouse.move(box.x + box.width / 2, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 5 + slot.height, { steps: 5 });
    await page.mouse.move(box.x + box.width / 2, box.y + 5 + slot.height * 2, { steps: 5 });
    await page.mouse.up();
    await page.getByText('“Demo with NACA” moved to').waitFor();

    const moved = await api('GET', `/api/v1/meetings/${meeting.id}`);
    assert.equal(new Date(moved.start_time).toISOString(), new Date(start.getTime() + 3_600_000).toISOString());
    assert.equal(new Date(moved.end_time).toISOString(), new Date(end.getTime() + 3_600_000).toISOString());

    // Selecting empty time books a new meeting.
    await page.locator('.fc-timegrid-slot-lane[data-time="15:00:00"]').click();
    const dialog = page.getByRole('dialog', { name: 'New meeting' });
    await dialog.getByLabel(/^Title/).fill('Kick-off call');
    await dialog.getByRole('button', { name: 'Create meeting' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('.fc-event', { hasText: 'Kick-off call' }).waitFor();
    const booked = (await api('GET', '/api/v1/meetings?sort=-created_at&limit=1')).data[0];
    assert.equal(booked.title, 'Kick-off call');
    assert.equal(new Date(booked.start_time).getUTCHours(), 15);

    await page.getByRole('button', { name: 'Month' }).click();
    await event.waitFor();
    assert.deepEqual(realErrors(e2e.errors), []);
  });

  test('a lead card moves with the keyboard alone', async () => {
    const qualified = await stageId('Qualified');
    const demo = await stageId('Demo Scheduled');
    const lead = await api('POST', '/api/v1/leads', { contact_person: 'Keyboard User', pipeline_stage_id: qualified });
    const page = await e2e.page();
    await page.goto('/pipeline');
    const card = page.locator(`[data-lead-card="${lead.id}"]`);
    await card.locator('[data-drag-handle]').focus();
    await page.keyboard.press('Space');
    await page.waitForTimeout(100);
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(100);
    await page.keyboard.press('Space');
    await page.locator(`[data-stage-column="Demo Scheduled"] [data-lead-card="${lead.id}"]`).waitFor();
    for (let i = 0; i < 50; i++) {
      if ((await api('GET', `/api/v1/leads/${lead.id}`)).pipeline_stage_id === demo) break;
      await page.waitForTimeout(100);
    }
    assert.equal((await api('GET', `/api/v1/leads/${lead.id}`)).pipeline_stage_id, demo);
    assert.deepEqual(realErrors(e2e.errors), []);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { updateLeadSchema } from '../leads/lead-resource.js';
import { fieldKinds } from './csv-cells.js';
import { normaliseHeader, planColumns, readRecord } from './map-columns.js';

const fields = fieldKinds(updateLeadSchema);
const aliases = {
  name: 'contact_person',
  company: 'company_name',
  e_mail: 'email',
  email_address: 'email',
  phone: 'phone',
  mobile: 'phone',
  source: 'lead_source',
  deal_value: 'deal_value',
  amount: 'deal_value',
};

describe('normaliseHeader', () => {
  test('compares headers by their words, whatever the punctuation, case or accents', () => {
    assert.equal(normaliseHeader('\uFEFF E-mail Address '), 'e_mail_address');
    assert.equal(normaliseHeader('Deal Value ($)'), 'deal_value');
    assert.equal(normaliseHeader('Téléphone'), 'telephone');
  });
});

describe('planColumns', () => {
  test('maps exact field names and aliases, and lists the columns it ignores', () => {
    const plan = planColumns(['Name', 'E-mail', 'Company', 'lead_source', 'Favourite Colour'], { fields, aliases });
    assert.deepEqual(
      plan.columns.map((c) => c.field),
      ['contact_person', 'email', 'company_name', 'lead_source', null],
    );
    assert.deepEqual(plan.ignored, ['Favourite Colour']);
  });

  test('an explicit mapping wins, can ignore a column, and is checked against the file and the fields', () => {
    const plan = planColumns(['Who', 'Email', 'Notes'], { fields, aliases, mapping: { Who: 'contact_person', Notes: '' } });
    assert.deepEqual(plan.columns.map((c) => c.field), ['contact_person', 'email', null]);
    assert.throws(() => planColumns(['Who'], { fields, aliases, mapping: { Whom: 'contact_person' } }), /does not have: "Whom"/);
    assert.throws(() => planColumns(['Who'], { fields, aliases, mapping: { Who: 'lead_score' } }), /not a field you can import/);
  });

  test('refuses a file none of whose columns it can use', () => {
    assert.throws(() => planColumns(['a', 'b'], { fields, aliases }), /No column of the file matches/);
  });

  test('joins First Name and Last Name into the name field when no column is the name', () => {
    const plan = planColumns(['First Name', 'Last Name', 'Email'], { fields, aliases, nameField: 'contact_person' });
    const { values } = readRecord(['Zoë', 'Åberg', 'z@example.com'], plan, fields, 'contact_person');
    assert.equal(values.contact_person, 'Zoë Åberg');
  });
});

describe('readRecord', () => {
  const plan = planColumns(['Name', 'Phone', 'Mobile', 'Amount', 'Tags', 'Do Not Contact', 'Timeline', 'follow_up_due_date'], {
    fields,
    aliases: { ...aliases, do_not_contact: 'do_not_contact' },
  });

  test('reads numbers with separators, lists, yes/no, enums by label, and the first non-empty of two columns', () => {
    const { values, errors } = readRecord(
      ['Ann', '', '+1 415 555 0123', '$1,200.50', 'vip; q3 ;vip', 'Yes', 'This Month', '2026-03-01 14:30'],
      plan,
      fields,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(values, {
      contact_person: 'Ann',
      phone: '+1 415 555 0123',
      deal_value: 1200.5,
      tags: ['vip', 'q3'],
      do_not_contact: true,
      timeline: 'this_month',
      follow_up_due_date: '2026-03-01T14:30:00.000Z',
    });
  });

  test('leaves empty cells out and reports cells it cannot read', () => {
    const { values, errors } = readRecord(['Bob', '', '', 'lots', '', 'maybe', '', ''], plan, fields);
    assert.deepEqual(values, { contact_person: 'Bob' });
    assert.deepEqual(errors, [
      { field: 'deal_value', message: '"lots" is not a number' },
      { field: 'do_not_contact', message: '"maybe" is not yes or no' },
    ]);
  });
});

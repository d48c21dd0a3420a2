import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFilterOption, parseMapOption } from './import-export.js';

describe('clara import/export options', () => {
  test('--map reads "CSV Header=field" pairs; an empty field ignores the column', () => {
    assert.deepEqual(parseMapOption('Full Name=contact_person, Notes = ,E-mail=email'), {
      'Full Name': 'contact_person',
      Notes: '',
      'E-mail': 'email',
    });
    assert.equal(parseMapOption(undefined), undefined);
    assert.throws(() => parseMapOption('just a header'), /CSV Header=field/);
  });

  test('--filter takes comma lists like the list API, and repeats', () => {
    assert.deepEqual(parseFilterOption(['status_bucket=P1,P2,agent_id=null', 'q=acme']), {
      status_bucket: 'P1,P2',
      agent_id: 'null',
      q: 'acme',
    });
    assert.throws(() => parseFilterOption(['P1']), /column=value/);
  });
});

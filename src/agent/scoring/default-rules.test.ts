import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleCondition } from './conditions.js';
import { DEFAULT_SCORING_RULES, defaultRulesSql } from './default-rules.js';

test('default rules have unique ids the lead_scoring_criteria table accepts', () => {
  const ids = DEFAULT_SCORING_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of DEFAULT_SCORING_RULES) {
    assert.match(rule.id, /^[a-z0-9_]{1,60}$/);
    assert.ok(rule.name.length >= 1 && rule.name.length <= 120, rule.id);
    assert.ok(Number.isInteger(rule.points) && rule.points >= -100 && rule.points <= 100, rule.id);
    assert.deepEqual(parseRuleCondition(rule.condition), rule.condition, rule.id);
  }
});

test('budget tiers are disjoint: no amount fires two of them', () => {
  const tiers = DEFAULT_SCORING_RULES.filter((r) => r.category === 'budget' && r.points > 0);
  assert.equal(tiers.length, 3);
  for (const amount of [0.5, 1, 9_999, 10_000, 49_999, 50_000, 2_000_000]) {
    const fired = tiers.filter((r) => {
      const c = r.condition;
      if (c.op === 'gte') return amount >= c.value;
      if (c.op === 'between') return amount >= c.value[0] && amount < c.value[1];
      throw new Error(`unexpected op in ${r.id}`);
    });
    assert.ok(fired.length <= 1, `${amount}: ${fired.map((r) => r.id).join(', ')}`);
  }
});

test('defaultRulesSql is one idempotent INSERT with every rule, quotes escaped', () => {
  const sql = defaultRulesSql();
  assert.match(sql, /^INSERT INTO lead_scoring_criteria \(id, name, category, condition, points, is_active, description\) VALUES\n/);
  assert.match(sql, /ON CONFLICT \(id\) DO NOTHING;\n$/);
  for (const rule of DEFAULT_SCORING_RULES) assert.ok(sql.includes(`('${rule.id}', `), rule.id);
  assert.ok(sql.includes(`'{"field":"budget_amount_usd","op":"gte","value":50000}'::jsonb, 30, true,`));
  assert.equal(sql.match(/\n  \(/g)?.length, DEFAULT_SCORING_RULES.length);

  const quoted = defaultRulesSql([
    { id: 'x', name: "Prospect's own", category: 'fit', condition: { field: 'company', op: 'eq', value: "O'Brien" }, points: 1, is_active: false, description: null },
  ]);
  assert.ok(quoted.includes(`('x', 'Prospect''s own', 'fit', '{"field":"company","op":"eq","value":"O''Brien"}'::jsonb, 1, false, NULL)`));
});

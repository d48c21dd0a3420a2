import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeConversation, type ConversationMessage } from './analyze-conversation.js';

const clara = (text: string): ConversationMessage => ({ role: 'assistant', text });
const prospect = (text: string): ConversationMessage => ({ role: 'user', text });

const SALES_CALL: ConversationMessage[] = [
  clara('Hi, this is Clara from Northwind Voice. Would you like to see a demo today?'),
  prospect('hi yeah this is jane doe from acme logistics we need to automate our inbound sales calls'),
  clara('Got it. Is there a budget set aside for this?'),
  prospect('we have about fifty thousand dollars and honestly im the one who signs off'),
  prospect('it has to integrate with hubspot and our google calendar'),
  prospect('my worry is it gets too expensive once we add seats and we already use a competitor for chat'),
  prospect('we want it live this month can you show me a demo'),
];
const SALES_FACTS = {
  contact_person: 'Jane Doe',
  company: 'Acme Logistics',
  email: 'jane@acmelogistics.com',
  need: 'automate our inbound sales calls',
  budget_amount: 50_000,
  budget_currency: 'USD',
  authority: 'decision_maker',
  timeline: 'this_month',
  company_size: 120,
  industry: 'logistics',
  wants_demo: true,
};

test('a sales call: topics, concerns and interests come from what the prospect said', () => {
  const a = analyzeConversation(SALES_CALL, SALES_FACTS);
  assert.deepEqual(a.key_topics, ['integration', 'competitor', 'demo', 'pricing', 'timeline', 'features']);
  assert.equal(a.key_topics[0], 'integration', 'hubspot, integrate and calendar: the most discussed');
  assert.deepEqual(a.concerns, ['price', 'competitor']);
  assert.deepEqual(a.interests, ['integration', 'demo', 'timeline', 'features']);
  assert.equal(a.interests.includes('pricing'), false, 'pricing came up as an objection, not an interest');
  assert.equal(a.lead_quality, 'hot');
  assert.equal(a.next_action, 'book_demo');
  assert.equal(a.suggested_next_action, 'Book a demo: the prospect asked to see the product.');
});

test('the summary tells a rep who, what, budget, timeline and concerns in two sentences', () => {
  const a = analyzeConversation(SALES_CALL, SALES_FACTS);
  assert.equal(
    a.summary,
    'Jane Doe from Acme Logistics, the decision maker, wants to automate their inbound sales calls. ' +
      'Budget $50,000; wants to start this month; 120 employees in logistics; asked for a demo; concerns: price, competitor.',
  );
});

test("Clara's own words are not analysed: offering a demo does not make it a topic", () => {
  const a = analyzeConversation([clara('Would you like a demo? Pricing starts at 99 a month.'), prospect('we need help answering the phones')], { need: 'help answering the phones' });
  assert.deepEqual(a.key_topics, []);
});

test('a booked demo: confirm it and prepare for what they care about', () => {
  const a = analyzeConversation(SALES_CALL, { ...SALES_FACTS, meeting_time: 'Tuesday 25 November at 3 pm' }, { demoBooked: true });
  assert.equal(a.next_action, 'confirm_demo');
  assert.equal(a.suggested_next_action, 'Confirm the demo for Tuesday 25 November at 3 pm and prepare to cover integration, competitor, pricing.');
  assert.match(a.summary, /demo booked for Tuesday 25 November at 3 pm/);
});

test('a price objection without a demo request: send pricing', () => {
  const a = analyzeConversation(
    [prospect('how much is it per month'), prospect('honestly that sounds a bit pricey for a team our size')],
    { email: 'sam@smallco.com', need: 'an answering service', timeline: 'this_quarter' },
  );
  assert.deepEqual(a.concerns, ['price']);
  assert.equal(a.next_action, 'send_pricing');
  assert.equal(a.suggested_next_action, 'Send pricing and answer the price concern.');
});

test('negated objections are not concerns', () => {
  const a = analyzeConversation([prospect('price is fine its not expensive at all and we are not comparing anyone')], {});
  assert.deepEqual(a.concerns, []);
  assert.ok(a.key_topics.includes('pricing'));
});

test('timing and authority objections; a later timeline gives a dated follow-up', () => {
  const a = analyzeConversation(
    [
      prospect('its interesting but not right now we are in the middle of a merger'),
      prospect('and i would have to run it by my boss anyway'),
    ],
    { contact_person: 'Tom', need: 'call routing', authority: 'influencer', timeline: 'this_quarter', phone: '+14155550123' },
    { now: '2025-11-20T15:00:00Z' },
  );
  assert.deepEqual(a.concerns, ['timing', 'authority']);
  assert.equal(a.next_action, 'follow_up');
  assert.equal(a.suggested_next_action, 'Follow up on 2025-12-20 (timeline: this quarter).');
  assert.equal(a.lead_quality, 'warm');
  assert.equal(
    a.summary,
    'Tom, who influences but does not make the decision, is looking for call routing. Wants to start this quarter; concerns: timing, authority; still unknown: budget.',
  );
});

test('security and switching concerns are recognised in lowercase speech', () => {
  const a = analyzeConversation(
    [prospect('were a clinic so is our data safe are you hipaa compliant'), prospect('and moving our data out of the old system sounds like a hassle')],
    { need: 'patient call handling' },
  );
  assert.deepEqual(a.concerns, ['trust_security', 'switching_cost']);
  assert.ok(a.key_topics.includes('security'));
});

test('an opt-out is cold and means do not contact', () => {
  const a = analyzeConversation([prospect('not interested please take me off your list')], { phone: '+14155550123' });
  assert.equal(a.next_action, 'do_not_contact');
  assert.equal(a.lead_quality, 'cold');
  assert.equal(a.sentiment_label, 'negative');
});

test('an opt-out wins over an earlier demo request', () => {
  const a = analyzeConversation([prospect('actually stop calling me')], { wants_demo: true, need: 'x', email: 'a@b.co' });
  assert.equal(a.lead_quality, 'cold');
  assert.equal(a.next_action, 'do_not_contact');
});

test('not interested without opting out: nurture, cold', () => {
  const a = analyzeConversation([prospect('no thanks we dont need it we are happy with what we have')], { need: undefined });
  assert.equal(a.next_action, 'nurture');
  assert.equal(a.lead_quality, 'cold');
});

test('an existing customer with a billing problem goes to support', () => {
  const a = analyzeConversation([prospect('im already a customer and i was charged twice this month')], {});
  assert.equal(a.next_action, 'escalate_support');
});

test('a prospect calling their current tool broken is still a prospect', () => {
  const a = analyzeConversation([prospect('our current phone system is broken all the time we need something new')], { need: 'a new phone system', phone: '+14155550123' });
  assert.notEqual(a.next_action, 'escalate_support');
  assert.equal(a.next_action, 'qualify');
  assert.equal(a.suggested_next_action, 'Qualify: ask about budget, who decides, timeline.');
});

test('a vague chat with nothing known: neutral, cold, nurture', () => {
  const a = analyzeConversation([prospect('hi'), prospect('just looking')], {});
  assert.equal(a.sentiment_score, 0);
  assert.equal(a.sentiment_label, 'neutral');
  assert.equal(a.lead_quality, 'cold');
  assert.equal(a.next_action, 'nurture');
  assert.equal(a.summary, 'The prospect has not described a need yet. Still unknown: budget, who decides, timeline.');
});

test('a budget in another currency is shown with its dollar value', () => {
  const a = analyzeConversation([], { need: 'a receptionist', budget_amount: 40_000, budget_currency: 'EUR' });
  assert.match(a.summary, /Budget 40,000 EUR \(about \$46,400\)/);
});

test('a hot qualified lead without a demo request: book a demo', () => {
  const a = analyzeConversation([prospect('this looks great we want to start this week')], {
    email: 'a@b.co', need: 'x', budget_amount: 20_000, authority: 'decision_maker', timeline: 'this_week',
  });
  assert.equal(a.lead_quality, 'hot');
  assert.equal(a.next_action, 'book_demo');
});

test('later turns weigh more in the conversation sentiment', () => {
  const warmingUp = analyzeConversation([prospect('im skeptical'), prospect('ok that is actually really great')], {});
  const coolingDown = analyzeConversation([prospect('ok that is actually really great'), prospect('im skeptical')], {});
  assert.ok(warmingUp.sentiment_score > coolingDown.sentiment_score);
  assert.equal(warmingUp.sentiment_label, 'positive');
});

test('the analysis is deterministic', () => {
  assert.deepEqual(analyzeConversation(SALES_CALL, SALES_FACTS), analyzeConversation(SALES_CALL, SALES_FACTS));
});

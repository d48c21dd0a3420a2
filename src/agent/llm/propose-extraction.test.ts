import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createChatClient, LlmHttpError, LlmProtocolError, type ChatClient, type ChatRequest } from './chat-client.js';
import { completion, startFakeChatServer, type CannedAnswer, type FakeChatServer } from './fake-chat-server.js';
import { LEAD_FACTS_JSON_SCHEMA, proposeExtraction, validateProposedFacts, type ExtractionInput } from './propose-extraction.js';

const validate = (proposed: unknown, options: { utterance?: string; defaultCountry?: string } = {}) => {
  const dropped: Record<string, string> = {};
  const facts = validateProposedFacts(proposed, {
    defaultCountry: options.defaultCountry ?? 'US',
    ...(options.utterance !== undefined ? { utterance: options.utterance } : {}),
    onDrop: (field, reason) => (dropped[field] = reason),
  });
  return { facts, dropped };
};

describe('validateProposedFacts: the rules check every proposed value', () => {
  test('keeps valid values, normalised like typed-in ones', () => {
    const { facts, dropped } = validate({
      contact_person: '  Maria   Garcia ',
      company: 'BrightPath Logistics',
      email: ' Maria.Garcia@BrightPath.io ',
      phone: '(415) 555-2671',
      budget_amount: '20,000',
      budget_currency: 'usd',
      authority: 'influencer',
      need: 'We keep missing calls after hours',
      timeline: 'this_quarter',
      industry: 'Logistics',
      company_size: 120,
      wants_demo: true,
      intent: 'sales',
    });
    assert.deepEqual(dropped, {});
    assert.deepEqual(facts, {
      contact_person: 'Maria Garcia',
      company: 'BrightPath Logistics',
      email: 'maria.garcia@brightpath.io',
      phone: '+14155552671',
      budget_amount: 20000,
      budget_currency: 'USD',
      authority: 'influencer',
      need: 'We keep missing calls after hours',
      timeline: 'this_quarter',
      industry: 'Logistics',
      company_size: 120,
      wants_demo: true,
      intent: 'sales',
    });
  });

  test('drops each invalid value on its own and keeps the rest', () => {
    const { facts, dropped } = validate({
      company: 'BrightPath',
      email: 'maria at brightpath',
      phone: '555-0123',
      budget_amount: -5,
      budget_currency: 'DOLLARS',
      authority: 'ceo',
      timeline: 'soonish',
      company_size: 12.5,
      wants_demo: 'yes',
    });
    assert.deepEqual(facts, { company: 'BrightPath' });
    assert.deepEqual(Object.keys(dropped).sort(), ['authority', 'budget_amount', 'budget_currency', 'company_size', 'email', 'phone', 'timeline', 'wants_demo']);
    assert.match(dropped.email ?? '', /email/);
    assert.equal(dropped.phone, 'not a valid phone number');
    assert.match(dropped.budget_currency ?? '', /ISO 4217/);
  });

  test('drops implausible amounts and amounts that are not numbers', () => {
    for (const budget_amount of [0, 1e13, 'lots', '20k', Number.NaN]) {
      assert.deepEqual(validate({ budget_amount }).facts, {}, String(budget_amount));
    }
  });

  test('drops keys it does not know: the model cannot set a score, a bucket or a stage', () => {
    const { facts, dropped } = validate({ score: 100, status_bucket: 'P1', lead_score: 100, pipeline_stage: 'Won', company: 'Acme' });
    assert.deepEqual(facts, { company: 'Acme' });
    assert.deepEqual(Object.keys(dropped).sort(), ['lead_score', 'pipeline_stage', 'score', 'status_bucket']);
  });

  test('null means not said; empty text is dropped; control characters are removed', () => {
    const { facts } = validate({ contact_person: null, company: '   ', need: 'needs\u0000 a\u202e CRM' });
    assert.deepEqual(facts, { need: 'needs a CRM' });
  });

  test("reads a national phone number in the session's country", () => {
    assert.deepEqual(validate({ phone: '020 7946 0958' }, { defaultCountry: 'GB' }).facts, { phone: '+442079460958' });
    assert.deepEqual(validate({ phone: '020 7946 0958' }, { defaultCountry: 'US' }).facts, {});
  });

  test('an answer that is not a JSON object is a protocol error', () => {
    for (const proposed of [null, [], 'facts', 42]) {
      assert.throws(() => validate(proposed), LlmProtocolError);
    }
  });
});

describe('validateProposedFacts: checkable values must have been said', () => {
  test('keeps an email written, spoken or spelled in the utterance', () => {
    for (const utterance of [
      'you can reach me at Maria.Garcia@brightpath.io',
      'its maria dot garcia at brightpath dot io',
      'm a r i a dot g a r c i a at brightpath dot i o',
    ]) {
      assert.deepEqual(validate({ email: 'maria.garcia@brightpath.io' }, { utterance }).facts, { email: 'maria.garcia@brightpath.io' }, utterance);
    }
    // Digits said as words cannot be compared, the letters still are.
    const spoken = validate({ email: 'john23@acme.com' }, { utterance: 'john twenty three at acme dot com' });
    assert.deepEqual(spoken.facts, { email: 'john23@acme.com' });
  });

  test('drops an email the model made up or completed', () => {
    const guessed = validate({ email: 'maria@brightpath.com' }, { utterance: "i'm maria from brightpath" });
    assert.deepEqual(guessed.facts, {});
    assert.equal(guessed.dropped.email, 'not said in the utterance');
    assert.deepEqual(validate({ email: 'john24@acme.com' }, { utterance: 'john23@acme.com' }).facts, {});
  });

  test('keeps a phone number written or spoken digit by digit, drops one not said', () => {
    for (const utterance of ['call me on (415) 555-2671', 'four one five double five five two six seven one', '+1 415 555 2671 is my cell']) {
      assert.deepEqual(validate({ phone: '+14155552671' }, { utterance }).facts, { phone: '+14155552671' }, utterance);
    }
    assert.deepEqual(validate({ phone: '+14155552671' }, { utterance: 'my number is 415 555 2672' }).facts, {});
    assert.deepEqual(validate({ phone: '+14155552671' }, { utterance: 'just call the office' }).facts, {});
  });

  test('keeps a name said in any case or with accents, drops a completed one', () => {
    assert.deepEqual(validate({ contact_person: 'María García' }, { utterance: 'hi this is maria garcia' }).facts, { contact_person: 'María García' });
    assert.deepEqual(validate({ contact_person: 'Maria Garcia' }, { utterance: 'hi this is maria' }).facts, {});
  });

  test("drops contact details the rules attribute to someone else", () => {
    const assistant = validate(
      { email: 'jane.doe@acme.com', phone: '+14155552671', contact_person: 'Jane Doe' },
      { utterance: "my assistant jane doe handles it, her email is jane.doe@acme.com and her number is 415 555 2671" },
    );
    assert.deepEqual(assistant.facts, {});
    assert.deepEqual(assistant.dropped, { email: "someone else's", phone: "someone else's", contact_person: "someone else's" });
    const own = validate({ email: 'john@acme.com', contact_person: 'John Smith' }, { utterance: "i'm john smith, my email is john@acme.com" });
    assert.deepEqual(own.facts, { email: 'john@acme.com', contact_person: 'John Smith' });
  });

  test("uses the rules' test for an email: an unknown top-level domain is not plausible", () => {
    assert.deepEqual(validate({ email: 'dana@harbor.example' }).dropped, { email: 'not a plausible email address' });
  });

  test('keeps a budget only when the utterance holds a number', () => {
    assert.deepEqual(validate({ budget_amount: 120000 }, { utterance: 'a hundred and twenty grand' }).facts, { budget_amount: 120000 });
    assert.deepEqual(validate({ budget_amount: 20000 }, { utterance: 'about 20k' }).facts, { budget_amount: 20000 });
    assert.deepEqual(validate({ budget_amount: 50000 }, { utterance: 'we have a healthy budget' }).facts, {});
  });
});

/** A chat client that answers with `content` for each request in turn. */
function answering(...contents: string[]): ChatClient & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    model: 'stub',
    requests,
    async chatCompletion(request) {
      requests.push(request);
      return { content: contents[requests.length - 1] ?? contents.at(-1) ?? '', finishReason: 'stop', model: 'stub' };
    },
  };
}

const extraction = (latestUtterance: string, extra: Partial<ExtractionInput> = {}): ExtractionInput => ({
  transcript: [{ role: 'assistant', text: 'Who am I speaking with?' }],
  latestUtterance,
  knownFacts: {},
  ...extra,
});

describe('proposeExtraction', () => {
  test('asks for the strict JSON schema at temperature 0 and returns the validated facts', async () => {
    const client = answering(JSON.stringify({ contact_person: 'Maria Garcia', company: 'BrightPath', email: null, score: 99 }));
    const dropped: string[] = [];
    const facts = await proposeExtraction(client, extraction('maria garcia from brightpath', { expecting: 'contact_person', knownFacts: { timeline: 'this_month' } }), {
      defaultCountry: 'US',
      onDrop: (field) => dropped.push(field),
    });
    assert.deepEqual(facts, { contact_person: 'Maria Garcia', company: 'BrightPath' });
    assert.deepEqual(dropped, ['score']);
    const [request] = client.requests;
    assert.ok(request);
    assert.equal(request.temperature, 0);
    assert.deepEqual(request.response_format, { type: 'json_schema', json_schema: { name: 'lead_facts', strict: true, schema: LEAD_FACTS_JSON_SCHEMA } });
    const conversation = JSON.parse(request.messages[1]?.content ?? '{}') as Record<string, unknown>;
    assert.equal(conversation.latest_prospect_utterance, 'maria garcia from brightpath');
    assert.equal(conversation.clara_just_asked_for, 'contact_person');
    assert.deepEqual(conversation.known_facts, { timeline: 'this_month' });
    assert.deepEqual(conversation.earlier_turns, [{ speaker: 'Clara', text: 'Who am I speaking with?' }]);
  });

  test('the strict schema lists every property as required and allows no others', () => {
    const schema = LEAD_FACTS_JSON_SCHEMA as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    assert.deepEqual([...schema.required].sort(), Object.keys(schema.properties).sort());
    assert.equal(schema.additionalProperties, false);
  });

  test('reads a JSON object wrapped in a Markdown fence', async () => {
    const facts = await proposeExtraction(answering('```json\n{"company": "Acme"}\n```'), extraction('acme'), { defaultCountry: 'US' });
    assert.deepEqual(facts, { company: 'Acme' });
  });

  test('an answer that is not JSON is a protocol error', async () => {
    await assert.rejects(proposeExtraction(answering('Sure! The company is Acme.'), extraction('acme'), { defaultCountry: 'US' }), (error: unknown) => {
      assert.ok(error instanceof LlmProtocolError);
      assert.equal(error.problem, 'invalid_output');
      return true;
    });
  });

  describe('against a server without structured outputs', () => {
    let server: FakeChatServer;
    let respond: (body: { response_format?: { type: string } } | undefined) => CannedAnswer;
    before(async () => {
      server = await startFakeChatServer((request) => respond(request.body));
    });
    after(async () => {
      await server.close();
    });
    const client = () => createChatClient({ baseUrl: server.baseUrl, model: 'local', timeoutMs: 2000 });

    test('retries in JSON mode when the server rejects json_schema', async () => {
      respond = (body) =>
        body?.response_format?.type === 'json_schema'
          ? { status: 400, body: { error: { message: "Invalid value for 'response_format.type': json_schema is not supported" } } }
          : { body: completion('{"company": "Acme", "timeline": "this_week"}') };
      const seen = server.requests.length;
      const facts = await proposeExtraction(client(), extraction('acme, we need it this week'), { defaultCountry: 'US' });
      assert.deepEqual(facts, { company: 'Acme', timeline: 'this_week' });
      assert.deepEqual(
        server.requests.slice(seen).map((r) => r.body?.response_format?.type),
        ['json_schema', 'json_object'],
      );
    });

    test('does not retry other errors', async () => {
      for (const answer of [
        { status: 400, body: { error: { message: 'maximum context length exceeded' } } },
        { status: 500, body: { error: { message: 'response_format crashed the server' } } },
      ]) {
        respond = () => answer;
        const seen = server.requests.length;
        await assert.rejects(proposeExtraction(client(), extraction('acme'), { defaultCountry: 'US' }), LlmHttpError);
        assert.equal(server.requests.length - seen, 1, JSON.stringify(answer));
      }
    });
  });
});

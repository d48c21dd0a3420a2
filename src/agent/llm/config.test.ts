import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_LLM_TIMEOUT_MS, llmConfigFromEnv } from './config.js';

describe('language-model configuration', () => {
  test('no base URL (unset or empty) means the rules alone', () => {
    assert.equal(llmConfigFromEnv({}), undefined);
    assert.equal(llmConfigFromEnv({ CLARA_LLM_BASE_URL: ' ', CLARA_LLM_MODEL: 'llama3.1' }), undefined);
  });

  test('reads the endpoint, key, model and budget', () => {
    assert.deepEqual(
      llmConfigFromEnv({
        CLARA_LLM_BASE_URL: 'https://api.openai.com/v1/',
        CLARA_LLM_API_KEY: 'sk-test',
        CLARA_LLM_MODEL: 'gpt-4o-mini',
        CLARA_LLM_TIMEOUT_MS: '4000',
      }),
      { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', model: 'gpt-4o-mini', timeoutMs: 4000 },
    );
  });

  test('a local server needs no key, and the budget has a default', () => {
    assert.deepEqual(llmConfigFromEnv({ CLARA_LLM_BASE_URL: 'http://localhost:11434/v1', CLARA_LLM_MODEL: 'llama3.1', CLARA_LLM_API_KEY: '' }), {
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3.1',
      timeoutMs: DEFAULT_LLM_TIMEOUT_MS,
    });
  });

  test('a mistake fails at start-up instead of silently disabling the model', () => {
    assert.throws(() => llmConfigFromEnv({ CLARA_LLM_BASE_URL: 'http://localhost:11434/v1' }), /CLARA_LLM_MODEL/);
    assert.throws(() => llmConfigFromEnv({ CLARA_LLM_BASE_URL: 'localhost:11434', CLARA_LLM_MODEL: 'm' }), /CLARA_LLM_BASE_URL/);
    assert.throws(() => llmConfigFromEnv({ CLARA_LLM_BASE_URL: 'ftp://models.local/v1', CLARA_LLM_MODEL: 'm' }), /CLARA_LLM_BASE_URL/);
    assert.throws(() => llmConfigFromEnv({ CLARA_LLM_BASE_URL: 'http://localhost/v1', CLARA_LLM_MODEL: 'm', CLARA_LLM_TIMEOUT_MS: '2s' }), /CLARA_LLM_TIMEOUT_MS/);
  });
});

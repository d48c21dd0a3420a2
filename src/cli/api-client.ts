import type { ApiRequester } from '../agent/eval/api-talker.js';
import type { Config } from '../config/config.js';
import { createApiKey, revokeApiKey } from '../auth/api-keys.js';
import { EventHub } from '../crm/events/event-hub.js';
import { withSystem } from '../db/with-actor.js';
import { buildApp } from '../server/app.js';
import { withDatabase } from './open.js';

/** Requests to Clara's API, in JSON. */
export type ApiClient = ApiRequester;

export interface ApiClientOptions {
  /** A running Clara server; without it, the API runs in this process. */
  url?: string;
  /** API key for `url` (default: the CLARA_API_KEY environment variable). */
  key?: string;
}

/**
 * The CLI's way into the API, for one command: over HTTP to a running server (`--url` with an
 * API key), or, by default, through the same Fastify app in this process on the configured
 * database (beside a running `clara serve` too), as a temporary agent API key revoked afterwards.
 */
export async function withApiClient<T>(config: Config, options: ApiClientOptions, work: (api: ApiClient) => Promise<T>): Promise<T> {
  if (options.url) {
    const base = options.url.replace(/\/+$/, '');
    // From the environment by default, so that the key stays out of shell history and `ps`.
    const key = options.key ?? process.env.CLARA_API_KEY;
    if (!key) throw new Error('--url needs an API key: --key or CLARA_API_KEY');
    return work({
      async request(method, path, body) {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        try {
          return { status: response.status, body: JSON.parse(text) as never };
        } catch {
          // A proxy's HTML error page, say: keep the status, show the start of what came back.
          return { status: response.status, body: { detail: text.slice(0, 200) } as never };
        }
      },
    });
  }
  return withDatabase(config, async (database) => {
    const app = await buildApp({ config, database, events: new EventHub(database), startedAt: new Date() });
    try {
      const key = await withSystem(database.db, (tx) => createApiKey(tx, { name: 'clara cli (temporary)', role: 'agent' }, null));
      try {
        return await work({
          async request(method, path, body) {
            const response = await app.inject({ method, url: path, headers: { authorization: `Bearer ${key.key}` }, payload: body as object | undefined });
            return { status: response.statusCode, body: response.body ? response.json() : (undefined as never) };
          },
        });
      } finally {
        await withSystem(database.db, (tx) => revokeApiKey(tx, key.id));
      }
    } finally {
      await app.close();
    }
  });
}

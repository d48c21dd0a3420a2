import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { TestApp } from './test-app.js';

/** Anyone who can call the API: a signed-in user or an API key. */
export interface Caller {
  headers: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type Reply = LightMyRequestResponse;

/** A record as the API returns it. */
export type ApiRecord = Record<string, any> & { id: string };

/** Thin helpers over app.inject for the CRM record endpoints. */
export function crmApi(t: TestApp) {
  const call = (method: Method, url: string, as: Caller, payload?: unknown): Promise<Reply> =>
    t.app.inject({ method, url, headers: as.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  return {
    call,
    get: (as: Caller, url: string) => call('GET', url, as),
    post: (as: Caller, url: string, payload?: unknown) => call('POST', url, as, payload),
    patch: (as: Caller, url: string, payload: unknown) => call('PATCH', url, as, payload),
    put: (as: Caller, url: string, payload: unknown) => call('PUT', url, as, payload),
    delete: (as: Caller, url: string) => call('DELETE', url, as),

    /** POSTs a record that must be created; returns it. */
    async create(as: Caller, resource: string, payload: Record<string, unknown>): Promise<ApiRecord> {
      const response = await call('POST', `/api/v1/${resource}`, as, payload);
      assert.equal(response.statusCode, 201, `create ${resource}: ${response.body}`);
      return response.json();
    },

    /** The data of one list page, which must answer 200. */
    async list(as: Caller, url: string): Promise<ApiRecord[]> {
      const response = await call('GET', url, as);
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
      return response.json().data;
    },

    /** Follows next_cursor from the first page to the last; returns every id in order. */
    async pageThrough(as: Caller, url: string, limit = 2): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const separator = url.includes('?') ? '&' : '?';
        const pageUrl: string = `${url}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const response = await call('GET', pageUrl, as);
        assert.equal(response.statusCode, 200, `${pageUrl}: ${response.body}`);
        const page = response.json();
        assert.ok(page.data.length <= limit);
        ids.push(...page.data.map((record: { id: string }) => record.id));
        cursor = page.next_cursor;
        pages += 1;
        assert.ok(pages < 1000, 'paging ends');
      } while (cursor);
      return ids;
    },

    /** Rows in a table, counted as the owner (row-level security aside). */
    async count(table: string): Promise<number> {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(t.database.db);
      return rows[0]?.n ?? 0;
    },
  };
}

export type CrmApi = ReturnType<typeof crmApi>;

export function assertProblem(response: Reply, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body.slice(0, 500));
  assert.match(String(response.headers['content-type']), /application\/problem\+json/);
  assert.equal(response.json().code, code, response.body.slice(0, 500));
}

/**
 * Sends each bad request and checks its problem status and code, then that none of the listed
 * tables gained or lost a row.
 */
export async function assertRejectedWithoutWrites(
  api: CrmApi,
  as: Caller,
  tables: string[],
  cases: { method?: Method; url: string; payload: unknown; status: number; code: string }[],
): Promise<void> {
  const before = await Promise.all(tables.map((table) => api.count(table)));
  for (const { method = 'POST', url, payload, status, code } of cases) {
    const response = await api.call(method, url, as, payload);
    assert.equal(response.statusCode, status, `${method} ${url} ${JSON.stringify(payload)?.slice(0, 120)} -> ${response.body.slice(0, 300)}`);
    assert.match(String(response.headers['content-type']), /application\/problem\+json/);
    assert.equal(response.json().code, code, `${JSON.stringify(payload)?.slice(0, 120)} -> ${response.body.slice(0, 300)}`);
  }
  const after = await Promise.all(tables.map((table) => api.count(table)));
  assert.deepEqual(after, before, `nothing written to ${tables.join(', ')}`);
}

export const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

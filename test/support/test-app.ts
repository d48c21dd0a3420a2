import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/auth/actor.js';
import { createApiKey } from '../../src/auth/api-keys.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { EventHub } from '../../src/crm/events/event-hub.js';
import { createUser } from '../../src/crm/users/create-user.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { withSystem } from '../../src/db/with-actor.js';
import { buildApp } from '../../src/server/app.js';
import { ensureFirstAdmin } from '../../src/server/bootstrap.js';
import { logger } from '../../src/server/logger.js';
import type { App } from '../../src/server/context.js';
import { createTestDatabase } from './database.js';

export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'admin-password-123';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  /** Cookie header of a signed-in session. */
  cookie: string;
  headers: { cookie: string };
}

export interface TestApp {
  app: App;
  database: Database;
  config: Config;
  admin: TestUser;
  /** Creates a user with this role (optionally reporting to a manager) and signs them in. */
  user(role: Role, options?: { managerId?: string; name?: string }): Promise<TestUser>;
  /** Creates an API key with this role; returns the Authorization header value. */
  apiKey(role: Role): Promise<{ key: string; userId: string; headers: { authorization: string } }>;
  close(): Promise<void>;
}

/** A complete Clara on its own fresh database, driven through app.inject (no port) unless listened. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    CLARA_ADMIN_EMAIL: ADMIN_EMAIL,
    CLARA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    CLARA_DB_POOL_SIZE: '10',
    ...env,
  });
  const database = await openDatabase({ databaseUrl: testDb.url, dataDir: '', poolSize: config.poolSize });
  await ensureFirstAdmin(database.db, config);
  const events = new EventHub(database);
  await events.start();
  // CLARA_TEST_LOG=error (or any level) shows the server's logs, e.g. the cause of a 500.
  const testLog = process.env.CLARA_TEST_LOG;
  const app = await buildApp({ config, database, events, startedAt: new Date() }, testLog ? { logger: logger(testLog) } : {});
  await app.ready();

  const signIn = async (email: string, password: string): Promise<string> => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (response.statusCode !== 200) throw new Error(`login failed for ${email}: ${response.body}`);
    const cookie = response.cookies.find((c) => c.name === 'clara_session');
    if (!cookie) throw new Error('no session cookie');
    return `clara_session=${cookie.value}`;
  };

  const adminRow = await database.db.selectFrom('users').select(['id']).where('email', '=', ADMIN_EMAIL).executeTakeFirstOrThrow();
  const adminCookie = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  const admin: TestUser = { id: adminRow.id, email: ADMIN_EMAIL, role: 'admin', cookie: adminCookie, headers: { cookie: adminCookie } };

  return {
    app,
    database,
    config,
    admin,
    async user(role, options = {}) {
      const suffix = randomBytes(4).toString('hex');
      const email = `${role}-${suffix}@test.local`;
      const password = `password-${suffix}`;
      const created = await withSystem(database.db, (tx) =>
        createUser(tx, {
          email,
          full_name: options.name ?? `${role} ${suffix}`,
          role,
          password,
          manager_id: options.managerId ?? null,
        }),
      );
      const cookie = await signIn(email, password);
      return { id: created.id, email, role, cookie, headers: { cookie } };
    },
    async apiKey(role) {
      const key = await withSystem(database.db, (tx) => createApiKey(tx, { name: `test ${role}`, role }, null));
      return { key: key.key, userId: key.user_id, headers: { authorization: `Bearer ${key.key}` } };
    },
    async close() {
      await app.close();
      await events.stop();
      await database.close();
      await testDb.drop();
    },
  };
}

import { z } from 'zod';
import { withActor } from '../db/with-actor.js';
import type { App, AppContext } from '../server/context.js';
import { UnauthorizedError } from '../server/errors.js';
import { requireActor } from '../server/require-actor.js';
import { changePassword } from './change-password.js';
import { loginWithPassword, logout } from './login.js';
import { emailSchema, passwordSchema, userSchema } from './schemas.js';
import { hashToken } from './tokens.js';

export const SESSION_COOKIE = 'clara_session';

export function authRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['auth'];

  app.post('/api/v1/auth/login', {
    config: {
      public: true,
      // Per-node burst limit in front of the per-account lockout kept in the database.
      rateLimit: { max: 30, timeWindow: '1 minute' },
    },
    schema: {
      tags,
      summary: 'Sign in with email and password; sets the session cookie',
      security: [],
      body: z.object({ email: emailSchema, password: z.string().min(1).max(200) }).strict(),
      response: { 200: z.object({ user: userSchema }) },
    },
    handler: async (request, reply) => {
      const { token, user, expiresAt } = await loginWithPassword(db, {
        ...request.body,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        sessionDays: context.config.sessionDays,
      });
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: context.config.cookieSecure,
        expires: expiresAt,
      });
      return { user };
    },
  });

  app.post('/api/v1/auth/logout', {
    config: { public: true },
    schema: { tags, summary: 'Sign out (ends this session)', response: { 204: z.null() } },
    handler: async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await logout(db, hashToken(token));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  });

  app.get('/api/v1/auth/me', {
    schema: { tags, summary: 'The signed-in user', response: { 200: z.object({ user: userSchema, via: z.enum(['session', 'api_key']) }) } },
    handler: async (request) => {
      const actor = requireActor(request);
      const user = await withActor(db, actor, (tx) =>
        tx.selectFrom('users').selectAll().where('id', '=', actor.userId).executeTakeFirst(),
      );
      if (!user) throw new UnauthorizedError();
      return { user: userSchema.parse(user), via: actor.via };
    },
  });

  app.post('/api/v1/auth/password', {
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: {
      tags,
      summary: 'Change your own password (signs out your other sessions)',
      body: z.object({ current_password: z.string().min(1).max(200), new_password: passwordSchema }).strict(),
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      const actor = requireActor(request);
      await changePassword(db, actor, request.body.current_password, request.body.new_password, request.cookies[SESSION_COOKIE]);
      return reply.status(204).send(null);
    },
  });
}

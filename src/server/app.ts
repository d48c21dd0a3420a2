import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import helmet from 'helmet';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Credential } from '../auth/actor.js';
import { ActorCache } from '../auth/actor-cache.js';
import { findActor, API_KEY_PREFIX } from '../auth/authenticate.js';
import { hashToken } from '../auth/tokens.js';
import { CREDENTIAL_REFUSED } from '../db/with-actor.js';
import { SESSION_COOKIE } from '../auth/routes.js';
import { NotFoundError, UnauthorizedError } from './errors.js';
import { sendProblem } from './problem.js';
import type { App, AppContext } from './context.js';
import { registerInProcessWorker } from '../jobs/in-process-worker.js';
import { registerRoutes } from './routes.js';
import { version } from './version.js';
import { webApp } from './web-app.js';

export interface BuildAppOptions {
  /** A pino logger; none in tests. */
  logger?: FastifyBaseLogger;
}

export async function buildApp(context: AppContext, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Behind a proxy the client's address comes from X-Forwarded-For; Twilio URLs use PUBLIC_URL.
    trustProxy: true,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false } },
    requestIdHeader: 'x-request-id',
    // Errors the router raises before any route (a malformed URL, an id over 100 characters)
    // would otherwise be Fastify's own JSON, not a problem document.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, error),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const actors = new ActorCache();
  const stopForgetting = context.events.onUserChanged((userId) => actors.forgetUser(userId));
  // The event hub may outlive this app (tests, the CLI): leave no listener behind.
  app.addHook('onClose', async () => {
    stopForgetting();
  });
  app.setErrorHandler((error, request, reply) => {
    // PostgreSQL refused the credential (a session ended or a key revoked, maybe in another process).
    const credential = request.actor?.credential;
    if (credential && (error as { code?: string }).code === CREDENTIAL_REFUSED) actors.forget(credential.hash);
    return sendProblem(request, reply, error);
  });
  // The React app owns every other GET path (client-side routes); the API answers problem documents.
  const web = webApp();
  app.setNotFoundHandler((request, reply) =>
    web.handles(request)
      ? web.sendIndex(reply)
      : sendProblem(request, reply, new NotFoundError(`Route ${request.method} ${request.url.split('?')[0]}`)),
  );

  // Security headers on every response. Helmet's middleware is built once here: the Fastify
  // plugin rebuilt it (parsing the policy) on every request, a measurable share of a small read.
  const securityHeaders = helmet({
    // The API docs page and the web app load their own scripts and styles from this origin only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
      },
    },
  });
  app.addHook('onRequest', (request, reply, next) => securityHeaders(request.raw, reply.raw, (error) => next(error as Error | undefined)));
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, { global: false });
  // WebSocket routes (Twilio ConversationRelay): registered once, for the whole app, so one upgrade handler serves every socket route.
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Clara API',
        version,
        description:
          'Clara, the voice-first AI sales CRM. Authenticate with the session cookie from POST /api/v1/auth/login, ' +
          'or with an API key: `Authorization: Bearer clara_...`. Errors are application/problem+json (RFC 9457).',
      },
      servers: [{ url: context.config.publicUrl }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created by an admin' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  app.decorateRequest('actor', null);
  // Who the caller is. The answer is remembered for a minute (ActorCache); PostgreSQL re-checks the
  // credential when the request's transaction starts, in the same round trip as BEGIN.
  const authenticate = async (credential: Credential) => {
    const known = actors.get(credential.hash);
    if (known) return known;
    const actor = await findActor(context.database.db, credential);
    if (actor) actors.set(credential.hash, actor);
    return actor ?? null;
  };
  app.addHook('onRequest', async (request) => {
    request.actor = null;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const key = header.slice('Bearer '.length).trim();
      request.actor = key.startsWith(API_KEY_PREFIX) ? await authenticate({ kind: 'api_key', hash: hashToken(key) }) : null;
      // A wrong key is an error even on public routes: the caller clearly meant to authenticate.
      if (!request.actor) throw new UnauthorizedError('Invalid or revoked API key');
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.actor = await authenticate({ kind: 'session', hash: hashToken(token) });
    if (!request.actor && request.url.startsWith('/api/v1/') && !request.routeOptions.config?.public) {
      throw new UnauthorizedError(token ? 'Your session has expired; sign in again' : 'Authentication required');
    }
  });

  await registerRoutes(app, context);
  // The job queue's worker runs beside the routes unless CLARA_WORKER=off (then `clara worker` runs it).
  registerInProcessWorker(app, context);
  await web.register(app);
  return app;
}

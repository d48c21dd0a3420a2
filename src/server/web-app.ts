import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './context.js';

/** Where `npm run web:build` (run by `npm start` when needed) writes the React app. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths that never fall back to the app's index.html: machines expect a problem document there. */
const SERVER_PATHS = /^\/(api|public|webhooks|healthz|metrics)(\/|$|\?)/;

export interface WebApp {
  /** Adds the static file routes; call after the security headers and API routes are registered. */
  register(app: App): Promise<void>;
  /** True when a not-found GET is a page of the single-page app (client-side route). */
  handles(request: FastifyRequest): boolean;
  sendIndex(reply: FastifyReply): FastifyReply;
}

/**
 * Serves web/dist at `/`: hashed assets cached for a year, index.html never cached, and every other
 * GET outside the API answered with index.html so that client-side routes survive a reload.
 * Without a build the server still runs (the API is complete) and says how to get the app.
 */
export function webApp(dist: string = WEB_DIST): WebApp {
  const built = existsSync(path.join(dist, 'index.html'));
  const register = async (app: App) => {
    if (!built) {
      app.log.warn(`The web app is not built (${dist} has no index.html): run \`npm run web:build\`; the API works without it`);
      return;
    }
    await app.register(fastifyStatic, {
      root: dist,
      prefix: '/',
      wildcard: true,
      // GET / is the app itself; a directory without index.html would answer 403.
      index: ['index.html'],
      decorateReply: true,
      setHeaders: (response, filePath) => {
        const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
        response.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  };
  return {
    register,
    handles: (request) => (request.method === 'GET' || request.method === 'HEAD') && !SERVER_PATHS.test(request.url),
    sendIndex: (reply) => {
      if (built) return reply.header('cache-control', 'no-cache').sendFile('index.html', dist);
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Clara</title><h1>The Clara web app is not built</h1>' +
            '<p>Run <code>npm run web:build</code> (or restart with <code>npm start</code>, which builds it), then reload. ' +
            'The API is available at <a href="/api/docs">/api/docs</a>.</p>',
        );
    },
  };
}

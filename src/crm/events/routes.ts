import type { App, AppContext } from '../../server/context.js';
import { requireActor } from '../../server/require-actor.js';

const HEARTBEAT_MS = 25_000;

/**
 * GET /api/v1/events: Server-Sent Events of the changes the caller may see. Each event names
 * the table, the operation and the record id; clients re-fetch what they display.
 */
export function eventRoutes(app: App, context: AppContext): void {
  // Open streams would keep the server from closing; end them so shutdown stays graceful.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get('/api/v1/events', {
    schema: {
      tags: ['events'],
      summary: 'Live changes the caller may see (text/event-stream; event "change", data {table, op, id})',
      produces: ['text/event-stream'],
    },
    handler: async (request, reply) => {
      const actor = requireActor(request);
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies such as nginx would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      response.write(`retry: 3000\n: connected as ${actor.userId}\n\n`);
      const unsubscribe = context.events.subscribe(
        actor,
        (events) => {
          for (const event of events) response.write(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
        },
        // A deactivated user's stream ends; the browser's reconnection then meets a 401.
        () => end(),
      );
      const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        response.end();
      };
      open.add(end);
      request.raw.on('close', end);
    },
  });
}

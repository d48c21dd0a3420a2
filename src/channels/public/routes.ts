import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findAgentIdentity, loadAgentSettings, withAgent, type AgentIdentity } from '../../agent/sessions/agent-transaction.js';
import { endSession } from '../../agent/sessions/end-session.js';
import type { AgentEnvironment } from '../../agent/sessions/start-session.js';
import { takeTurn } from '../../agent/sessions/take-turn.js';
import { registerRecordRoutes } from '../../crm/records/routes.js';
import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { AppError, BadRequestError, NotFoundError } from '../../server/errors.js';
import { requireRole } from '../../server/require-actor.js';
import { sendEmail } from '../email/send-email.js';
import { bookWebDemo } from './book-web-demo.js';
import { captureWebLead } from './capture-web-lead.js';
import { listBookingSlots } from './list-booking-slots.js';
import { recordRoiCalculation } from './record-roi-calculation.js';
import { roiCalculationResource } from './roi-calculation-resource.js';
import { isAllowedOrigin, resolveSite, type PublicSite } from './resolve-site.js';
import { accepted, bookingSchema, keyOf, roiSchema, slotsQuery, webLeadSchema } from './schemas.js';
import { newPublishableKey, siteResource } from './site-resource.js';
import { assertWidgetSession, linkSessionToLead, openWidgetSession } from './widget-session.js';

const WIDGET_SCRIPT = readFileSync(new URL('./widget.js', import.meta.url), 'utf8');
const MAX_TURN_CHARACTERS = 2_000;

class TurnTooLongError extends AppError {
  constructor() {
    super(413, 'turn_too_long', `A chat message may hold at most ${MAX_TURN_CHARACTERS} characters`);
  }
}

/** The ROI report's figures, from the calculator's results (the calculator names them). */
function roiReportOf(body: { name?: string; inputs: Record<string, unknown>; results: Record<string, unknown> }) {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const roi = number(body.results.roi_percent);
  if (roi === undefined) throw new BadRequestError('results.roi_percent is needed to send the ROI report');
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  return {
    name: body.name,
    tier: text(body.results.tier) ?? text(body.inputs.tier) ?? 'Standard',
    roi_percent: roi,
    currency: text(body.results.currency) ?? 'USD',
    monthly_savings: number(body.results.monthly_savings),
    annual_savings: number(body.results.annual_savings) ?? number(body.results.yearly_savings),
    payback_months: number(body.results.payback_months),
  };
}

/**
 * The landing page's endpoints (seed 003): web-to-lead, demo booking, the ROI calculator and the
 * chat widget. They answer any website whose publishable key and Origin match a site, with CORS,
 * per-address rate limits and a honeypot; they write as Clara (the AI agent user), into the pool.
 */
export function publicRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const { config } = context;
  const tags = ['landing page'];
  let agent: Promise<AgentIdentity> | undefined;
  const clara = () => (agent ??= findAgentIdentity(db));
  const environment = async (): Promise<AgentEnvironment> => ({ db, agent: await clara(), timeZone: config.timeZone, defaultCountry: config.defaultCountry });

  registerRecordRoutes(app, context, siteResource);
  // Read-only: calculations are written by the landing page's calculator alone.
  registerRecordRoutes(app, context, roiCalculationResource, ['list', 'get']);
  app.post('/api/v1/sites/:id/rotate_key', {
    schema: { tags, summary: "Replace a site's publishable key (the old one stops working)", params: z.object({ id: z.uuid() }).strict(), response: { 200: siteResource.entity } },
    handler: async (request) => {
      const actor = requireRole(request, 'admin');
      const site = await withActor(db, actor, (tx) =>
        tx.updateTable('sites').set({ publishable_key: newPublishableKey() }).where('id', '=', request.params.id).returningAll().executeTakeFirst(),
      );
      if (!site) throw new NotFoundError('Site');
      return site;
    },
  });

  /** The site behind a public request; its Origin may then read the answer (CORS). */
  const siteOf = async (request: FastifyRequest, reply: FastifyReply): Promise<PublicSite> => {
    const origin = request.headers.origin;
    const site = await resolveSite(db, keyOf(request), origin);
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    return site;
  };
  // A bot fills the hidden field; it gets the same answer as a person and nothing is stored.
  const isBot = (body: { website_url?: string }) => Boolean(body.website_url?.trim());
  // Per address: forms are filled once in a while; a chat takes a turn every few seconds.
  const limit = (share: number) => ({ public: true, rateLimit: { max: Math.ceil(config.publicRateLimit * share), timeWindow: '1 minute' } });

  app.options('/public/v1/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !(await isAllowedOrigin(db, origin))) return reply.status(403).send();
    return reply
      .status(204)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'content-type, x-clara-key')
      .header('access-control-max-age', '600')
      .header('vary', 'Origin')
      .send();
  });

  app.post('/public/v1/leads', {
    config: limit(1),
    schema: { tags, summary: 'Web-to-lead: a contact form creates or updates a lead', body: webLeadSchema, response: { 201: accepted } },
    handler: async (request, reply) => {
      const site = await siteOf(request, reply);
      if (!isBot(request.body)) {
        const identity = await clara();
        await withAgent(db, identity, (tx) => captureWebLead(tx, identity, site, request.body, config.defaultCountry));
      }
      return reply.status(201).send({ received: true as const });
    },
  });

  app.get('/public/v1/booking-slots', {
    config: limit(6),
    schema: {
      tags,
      summary: 'Free demo slots',
      querystring: slotsQuery.extend({ key: z.string().optional() }),
      response: { 200: z.object({ time_zone: z.string(), minutes: z.number().int(), slots: z.array(z.string()) }) },
    },
    handler: async (request, reply) => {
      await siteOf(request, reply);
      const identity = await clara();
      return withAgent(db, identity, async (tx) => {
        const settings = await loadAgentSettings(tx);
        const from = request.query.from ? new Date(request.query.from) : new Date();
        const slots = await listBookingSlots(tx, identity, { from, days: request.query.days, minutes: settings.demo_minutes, timeZone: config.timeZone });
        return { time_zone: config.timeZone, minutes: settings.demo_minutes, slots };
      });
    },
  });

  app.post('/public/v1/bookings', {
    config: limit(1),
    schema: {
      tags,
      summary: 'Book a demo: the lead, the meeting and the confirmation email',
      body: bookingSchema,
      response: { 201: z.object({ start: z.string(), end: z.string(), time_zone: z.string(), confirmation_sent: z.boolean() }) },
    },
    handler: async (request, reply) => {
      const site = await siteOf(request, reply);
      const identity = await clara();
      if (isBot(request.body)) {
        return reply.status(201).send({ start: request.body.start, end: request.body.start, time_zone: config.timeZone, confirmation_sent: false });
      }
      const booked = await withAgent(db, identity, async (tx) => {
        const settings = await loadAgentSettings(tx);
        const demo = await bookWebDemo(tx, identity, site, request.body, {
          defaultCountry: config.defaultCountry,
          timeZone: config.timeZone,
          minutes: settings.demo_minutes,
          companyName: settings.company_name,
        });
        // Last in the transaction: a sent email cannot be recalled. A failed send keeps the booking.
        const email = await sendEmail(tx, config, {
          leadId: demo.leadId,
          template: 'booking_confirmation',
          to: request.body.email,
          data: { name: request.body.name, title: `${settings.company_name} demo`, start_time: demo.start, end_time: demo.end },
        });
        return { ...demo, confirmationSent: email.status === 'sent' };
      });
      return reply.status(201).send({ start: booked.start, end: booked.end, time_zone: config.timeZone, confirmation_sent: booked.confirmationSent });
    },
  });

  app.post('/public/v1/roi-calculations', {
    config: limit(2),
    schema: {
      tags,
      summary: 'Keep an ROI calculator result, linked to the lead when an email is given',
      body: roiSchema,
      response: { 201: z.object({ received: z.literal(true), report_sent: z.boolean() }) },
    },
    handler: async (request, reply) => {
      const site = await siteOf(request, reply);
      if (isBot(request.body)) return reply.status(201).send({ received: true as const, report_sent: false });
      // Checked before anything is written: a report that cannot be made is a 400, not half a submission.
      const report = request.body.send_report ? roiReportOf(request.body) : undefined;
      const identity = await clara();
      const reportSent = await withAgent(db, identity, async (tx) => {
        const calculation = await recordRoiCalculation(tx, identity, site, request.body, config.defaultCountry);
        if (!report || !calculation.leadId) return false;
        const email = await sendEmail(tx, config, { leadId: calculation.leadId, template: 'roi_report', to: request.body.email, data: report });
        if (email.status !== 'sent') return false;
        await tx.updateTable('roi_calculations').set({ report_sent_at: new Date().toISOString() }).where('id', '=', calculation.id).execute();
        return true;
      });
      return reply.status(201).send({ received: true as const, report_sent: reportSent });
    },
  });

  const messages = z.array(z.object({ role: z.enum(['assistant', 'user']), text: z.string() }));
  const sessionParams = z.object({ id: z.uuid() }).strict();

  app.post('/public/v1/chat/sessions', {
    config: limit(2),
    schema: {
      tags,
      summary: "Open (or resume) the chat widget's conversation with Clara",
      body: z.object({ session_id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional().describe("The widget's own id, kept in the visitor's browser") }).strict(),
      response: { 201: z.object({ id: z.uuid(), messages }) },
    },
    handler: async (request, reply) => {
      const site = await siteOf(request, reply);
      return reply.status(201).send(await openWidgetSession(await environment(), site, request.body.session_id));
    },
  });

  app.post('/public/v1/chat/sessions/:id/turns', {
    config: limit(4),
    schema: {
      tags,
      summary: 'Say something to Clara in the widget',
      params: sessionParams,
      body: z.object({ text: z.string().trim().min(1, 'Say something') }).strict(),
      response: { 200: z.object({ reply: z.string(), done: z.boolean() }) },
    },
    handler: async (request, reply) => {
      const site = await siteOf(request, reply);
      if (request.body.text.length > MAX_TURN_CHARACTERS) throw new TurnTooLongError();
      await assertWidgetSession(db, site, request.params.id);
      const env = await environment();
      const turn = await takeTurn(env, request.params.id, request.body.text);
      if (turn.lead_id) await linkSessionToLead(env, request.params.id, turn.lead_id);
      // The visitor sees Clara's answer, never what the CRM recorded about them.
      return { reply: turn.reply, done: turn.done };
    },
  });

  app.post('/public/v1/chat/sessions/:id/end', {
    config: limit(2),
    schema: { tags, summary: 'The visitor closed the chat', params: sessionParams, response: { 200: z.object({ ended: z.literal(true) }) } },
    handler: async (request, reply) => {
      const site = await siteOf(request, reply);
      await assertWidgetSession(db, site, request.params.id);
      await endSession(await environment(), request.params.id);
      return { ended: true as const };
    },
  });

  app.get('/widget.js', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      // Loaded by other websites' pages: helmet's same-origin default would block it.
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('cache-control', 'public, max-age=300')
      .send(WIDGET_SCRIPT),
  );
}

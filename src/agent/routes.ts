import { z } from 'zod';
import { withActor } from '../db/with-actor.js';
import type { App, AppContext } from '../server/context.js';
import { AppError, NotFoundError } from '../server/errors.js';
import { requireRole } from '../server/require-actor.js';
import type { Actor } from '../auth/actor.js';
import { findAgentIdentity } from './sessions/agent-transaction.js';
import { CALL_OUTCOMES, endSession } from './sessions/end-session.js';
import { startSession, type AgentEnvironment } from './sessions/start-session.js';
import { takeTurn } from './sessions/take-turn.js';
import { createLanguageModel } from './llm/language-model.js';
import { metricsOf } from '../system/metrics.js';

export const MAX_TURN_CHARACTERS = 10_000;

const factsSchema = z.record(z.string(), z.unknown()).describe('What the prospect said about themself in this session');
const turnResultSchema = z
  .object({
    reply: z.string(),
    lead_id: z.uuid().nullable(),
    extracted: factsSchema,
    score: z.number().int().nullable(),
    status_bucket: z.enum(['P1', 'P2', 'P3']).nullable(),
    done: z.boolean(),
  })
  .meta({ id: 'AgentTurn' });

const sessionSchema = z
  .object({
    id: z.uuid(),
    channel: z.enum(['web', 'sms', 'voice', 'email']),
    status: z.enum(['active', 'ended']),
    lead_id: z.uuid().nullable(),
    call_id: z.uuid().nullable(),
    messages: z.array(z.object({ role: z.enum(['assistant', 'user']), text: z.string(), at: z.string() })),
    extracted: factsSchema,
    created_at: z.string(),
    ended_at: z.string().nullable(),
  })
  .meta({ id: 'AgentSession' });

const idParams = z.object({ id: z.uuid() }).strict();

class TurnTooLongError extends AppError {
  constructor() {
    super(413, 'turn_too_long', `A turn may hold at most ${MAX_TURN_CHARACTERS} characters`);
  }
}

/** The conversation API: the web console, `clara chat` and every channel speak to Clara through it. */
export function agentRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['agent'];
  let environment: Promise<AgentEnvironment> | undefined;
  const env = () =>
    (environment ??= findAgentIdentity(db).then((agent) => ({
      db,
      agent,
      timeZone: context.config.timeZone,
      defaultCountry: context.config.defaultCountry,
    })));
  // Optional: with CLARA_LLM_BASE_URL set, a model proposes facts and phrases replies; the rules decide.
  const languageModel = createLanguageModel(context.config.llm, {
    defaultCountry: context.config.defaultCountry,
    warn: (message, error) => app.log.warn(error === undefined ? {} : { err: error }, message),
    onFallback: (step, reason) => metricsOf(app).llmFallbacks.inc({ step, reason }),
  });

  // The caller must be able to see the session (row-level security on conversations) to use it.
  const assertVisible = async (actor: Actor, id: string) => {
    const visible = await withActor(db, actor, (tx) => tx.selectFrom('conversations').select('id').where('id', '=', id).executeTakeFirst());
    if (!visible) throw new NotFoundError('Session');
  };

  app.post('/api/v1/agent/sessions', {
    schema: {
      tags,
      summary: "Start a conversation with Clara; the answer holds Clara's greeting",
      body: z
        .object({
          channel: z.enum(['web', 'sms', 'voice']),
          from: z.string().max(40).optional().describe('The prospect\'s phone number, when known'),
          lead_id: z.uuid().optional().describe('Continue with a known lead'),
          country: z.string().regex(/^[A-Z]{2}$/).optional().describe('ISO country for national phone numbers (default CLARA_DEFAULT_COUNTRY)'),
        })
        .strict(),
      response: { 201: z.object({ id: z.uuid(), reply: z.string(), lead_id: z.uuid().nullable() }) },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent');
      const { lead_id: leadId } = request.body;
      if (leadId) {
        const lead = await withActor(db, actor, (tx) => tx.selectFrom('leads').select('id').where('id', '=', leadId).executeTakeFirst());
        if (!lead) throw new NotFoundError('Lead');
      }
      const session = await startSession(await env(), { ...request.body, opened_by: actor.userId });
      return reply.status(201).send(session);
    },
  });

  app.post('/api/v1/agent/sessions/:id/turns', {
    // Each turn's body is small; the limit leaves room for 10,000 characters of any script.
    bodyLimit: 64 * 1024,
    schema: {
      tags,
      summary: 'Say something to Clara; it answers, and the CRM is updated before the answer returns',
      params: idParams,
      body: z.object({ text: z.string().trim().min(1, 'Say something') }).strict(),
      response: { 200: turnResultSchema },
    },
    handler: async (request) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent');
      if (request.body.text.length > MAX_TURN_CHARACTERS) throw new TurnTooLongError();
      await assertVisible(actor, request.params.id);
      return takeTurn(await env(), request.params.id, request.body.text, languageModel);
    },
  });

  app.post('/api/v1/agent/sessions/:id/end', {
    schema: {
      tags,
      summary: 'End the conversation: call record, analysis, follow-up',
      params: idParams,
      body: z.object({ outcome: z.enum(CALL_OUTCOMES).optional() }).strict().optional(),
      response: { 200: z.object({ call_id: z.uuid(), lead_id: z.uuid().nullable() }) },
    },
    handler: async (request) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent');
      await assertVisible(actor, request.params.id);
      return endSession(await env(), request.params.id, request.body?.outcome);
    },
  });

  app.get('/api/v1/agent/sessions/:id', {
    schema: { tags, summary: 'A session with its messages', params: idParams, response: { 200: sessionSchema } },
    handler: async (request) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent', 'viewer');
      const row = await withActor(db, actor, (tx) =>
        tx
          .selectFrom('conversations')
          .select(['id', 'channel', 'status', 'lead_id', 'call_id', 'messages', 'state', 'created_at', 'ended_at'])
          .where('id', '=', request.params.id)
          .executeTakeFirst(),
      );
      if (!row) throw new NotFoundError('Session');
      const { state, ...session } = row;
      return { ...session, extracted: (state as { facts?: Record<string, unknown> }).facts ?? {} } as z.infer<typeof sessionSchema>;
    },
  });
}

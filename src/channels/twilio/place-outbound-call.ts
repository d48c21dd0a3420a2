import { withAgent } from '../../agent/sessions/agent-transaction.js';
import type { Actor } from '../../auth/actor.js';
import { withActor } from '../../db/with-actor.js';
import { AppError, NotFoundError, UnprocessableError } from '../../server/errors.js';
import { callbackUrl, WEBHOOK_PATHS, type TwilioChannel } from './channel.js';
import { deleteCall, findCallableLead, insertOutboundCall, setProviderCallId } from './queries.js';
import { TwilioNotConfiguredError } from './signature.js';

export class TwilioRequestError extends AppError {
  constructor(message: string, details?: unknown) {
    super(502, 'twilio_error', `Twilio refused the call: ${message}`, details);
  }
}

export interface PlacedCall {
  call_id: string;
  provider_call_id: string;
  status: string;
}

/**
 * Click-to-call (seed 004): Twilio calls the lead and, once they answer, fetches the same voice
 * webhook as an incoming call, so Clara talks to them and the status, recording and relay
 * callbacks track the call like any other. The person placing it must see the lead (row-level
 * security, else 404); a do-not-contact lead is never called. The call record exists before
 * Twilio is asked (its callbacks name it), and is removed again if Twilio refuses.
 */
export async function placeOutboundCall(channel: TwilioChannel, actor: Actor, leadId: string): Promise<PlacedCall> {
  const rest = channel.rest();
  if (!rest) throw new TwilioNotConfiguredError('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  const from = channel.config.phoneNumber;
  if (!from) throw new TwilioNotConfiguredError('TWILIO_PHONE_NUMBER');

  const { callId, to } = await withActor(channel.env.db, actor, async (tx) => {
    const lead = await findCallableLead(tx, leadId);
    if (!lead) throw new NotFoundError('Lead');
    if (lead.do_not_contact) throw new UnprocessableError('do_not_contact', 'This lead asked not to be contacted');
    if (!lead.phone) throw new UnprocessableError('no_phone', 'This lead has no phone number');
    return { callId: await insertOutboundCall(tx, { leadId: lead.id, userId: actor.userId, from, to: lead.phone }), to: lead.phone };
  });

  let created: { sid: string; status: string };
  try {
    created = await rest.calls.create({
      to,
      from,
      url: callbackUrl(channel, WEBHOOK_PATHS.voice, { call_id: callId }),
      method: 'POST',
      statusCallback: callbackUrl(channel, WEBHOOK_PATHS.status, { call_id: callId }),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['completed'],
    });
  } catch (error) {
    await withAgent(channel.env.db, channel.env.agent, (tx) => deleteCall(tx, callId));
    const failure = error as { message?: string; code?: number; status?: number };
    throw new TwilioRequestError(failure.message ?? 'unknown error', { twilio_code: failure.code ?? null, twilio_status: failure.status ?? null });
  }
  await withAgent(channel.env.db, channel.env.agent, (tx) => setProviderCallId(tx, callId, created.sid));
  return { call_id: callId, provider_call_id: created.sid, status: created.status };
}

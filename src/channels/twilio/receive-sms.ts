import { endSession } from '../../agent/sessions/end-session.js';
import { startSession } from '../../agent/sessions/start-session.js';
import { takeTurn } from '../../agent/sessions/take-turn.js';
import { toE164 } from '../../crm/shared/contact-points.js';
import type { TwilioChannel } from './channel.js';
import { countSmsSessions, findOpenSmsSession, findSmsSessionWithMessage, isDoNotContact, leadsWithPhone } from './queries.js';
import { setDoNotContact } from './set-do-not-contact.js';
import { smsKeyword } from './sms-keywords.js';

export interface InboundSms {
  messageSid: string;
  from: string;
  body: string;
  /** Twilio's Advanced Opt-Out names the keyword's kind here. */
  optOutType?: string;
}

/** How far back a retried MessageSid is looked for: Twilio retries within minutes. */
const RETRY_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * An inbound text. Opt-out and opt-in keywords set or clear do_not_contact (Twilio sends its own
 * confirmation, so Clara sends none). Anything else is a turn of the sender's SMS conversation:
 * the open one, or a new one that recognises the person by number (one lead across SMS and
 * voice). Clara never texts a do-not-contact lead: the message is heard, nothing is sent.
 * Returns the texts to send back; a retried MessageSid gets the same texts and adds nothing.
 */
export async function receiveSms(channel: TwilioChannel, sms: InboundSms): Promise<{ replies: string[] }> {
  const { env } = channel;
  const phone = toE164(sms.from, env.defaultCountry);
  // Short codes, alphanumeric senders: not a person Clara can qualify or call back.
  if (!phone) return { replies: [] };

  const keyword = smsKeyword(sms.body, sms.optOutType);
  const leads = await leadsWithPhone(env.db, phone);
  const optedOut = leads.some((lead) => lead.do_not_contact);
  if (keyword === 'opt_out' || keyword === 'opt_in' || (keyword === 'yes' && optedOut)) {
    const value = keyword === 'opt_out';
    await setDoNotContact(channel, { phone, value, keyword: sms.body.trim().toUpperCase(), messageSid: sms.messageSid });
    return { replies: [] };
  }
  if (keyword === 'help' || optedOut) return { replies: [] };

  const retried = await findSmsSessionWithMessage(env.db, phone, sms.messageSid, new Date(Date.now() - RETRY_WINDOW_MS));
  // Counted before looking for an open thread: a text racing another first text then either
  // sees the thread the other opened or claims the same ordinal and joins it (see below).
  // Counted after, it could miss the thread and count it, and open a second one.
  const ordinal = (await countSmsSessions(env.db, phone)) + 1;
  let open = retried ? undefined : await findOpenSmsSession(env.db, phone);
  if (open && idleFor(open.last_at) > channel.config.smsIdleHours * 3600 * 1000) {
    // A thread picked up again days later is a new conversation; the old one gets its analysis now.
    await endSession(env, open.id);
    open = undefined;
  }
  let greeting: string | undefined;
  let sessionId = retried?.id ?? open?.id;
  if (!sessionId) {
    // The thread's ordinal is its external id: two first texts arriving at once both try the
    // same one, the unique index lets one start the conversation, and the other joins it.
    try {
      const started = await startSession(env, {
        channel: 'sms',
        from: phone,
        opened_by: env.agent.userId,
        country: env.defaultCountry,
        external_session_id: `${phone}#${ordinal}`,
      });
      sessionId = started.id;
      greeting = started.reply;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      const joined = await findOpenSmsSession(env.db, phone);
      if (!joined) throw error;
      sessionId = joined.id;
    }
  } else if (retried && retried.messages.findIndex((m) => m.role === 'user') === retried.messages.findIndex((m) => m.key === sms.messageSid)) {
    // The retried message opened its session: its answer began with the greeting.
    greeting = retried.messages[0]?.role === 'assistant' ? retried.messages[0].text : undefined;
  }
  const turn = await takeTurn(env, sessionId, sms.body, { ...channel.turnOptions, idempotencyKey: sms.messageSid });
  if (turn.done && !retried) await endSession(env, sessionId);
  // The person turned out to be a lead who opted out (recognised by the email they gave).
  if (turn.lead_id && (await isDoNotContact(env.db, turn.lead_id))) return { replies: [] };
  return { replies: [...(greeting ? [greeting] : []), turn.reply] };
}

const idleFor = (lastAt: string) => Date.now() - Date.parse(lastAt);

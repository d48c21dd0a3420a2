import { withAgent } from '../../agent/sessions/agent-transaction.js';
import type { TwilioChannel } from './channel.js';
import { addLeadActivity, createOptedOutLead, leadsWithPhone, lockPhone, setLeadsDoNotContact } from './queries.js';

/**
 * An SMS opt-out (STOP and Twilio's other words) or opt-in (START): every lead with that number
 * gets do_not_contact set or cleared, with a line on its timeline. A number that opts out before
 * Clara knew it becomes a lead that remembers the opt-out, so nobody contacts it later. Sending
 * the same keyword again changes nothing.
 */
export async function setDoNotContact(channel: TwilioChannel, input: { phone: string; value: boolean; keyword: string; messageSid: string }): Promise<{ leadIds: string[] }> {
  const { env } = channel;
  return withAgent(env.db, env.agent, async (tx) => {
    await lockPhone(tx, input.phone);
    const leads = await leadsWithPhone(tx, input.phone);
    if (leads.length === 0) {
      if (!input.value) return { leadIds: [] };
      const leadId = await createOptedOutLead(tx, input.phone, env.agent.userId);
      await note(tx, leadId);
      return { leadIds: [leadId] };
    }
    const changing = leads.filter((lead) => lead.do_not_contact !== input.value).map((lead) => lead.id);
    await setLeadsDoNotContact(tx, changing, input.value);
    for (const leadId of changing) await note(tx, leadId);
    return { leadIds: leads.map((lead) => lead.id) };
  });

  function note(tx: typeof env.db, leadId: string) {
    return addLeadActivity(tx, {
      leadId,
      type: input.value ? 'sms_opt_out' : 'sms_opt_in',
      subject: input.value ? `Opted out by SMS (${input.keyword}): do not contact` : `Opted back in by SMS (${input.keyword})`,
      createdBy: env.agent.userId,
      metadata: { channel: 'sms', keyword: input.keyword, message_sid: input.messageSid },
    });
  }
}

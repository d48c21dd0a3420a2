import { withAgent } from '../../agent/sessions/agent-transaction.js';
import type { TwilioChannel } from './channel.js';
import { findCallBySid, saveRecording } from './queries.js';

export interface RecordingReport {
  callSid: string;
  recordingSid: string;
  recordingUrl: string;
  status: string;
}

/**
 * A recording status callback. The recording URL is kept only when the caller said yes to
 * recording (seed 004) and has not taken it back. Any other recording of one of Clara's calls
 * (recording switched on outside Clara, or consent withdrawn) is deleted at Twilio, so a refusal
 * really means nothing is recorded.
 */
export async function storeRecording(channel: TwilioChannel, report: RecordingReport): Promise<'stored' | 'discarded' | 'ignored'> {
  const { env } = channel;
  if (report.status !== 'completed') return 'ignored';
  const call = await findCallBySid(env.db, report.callSid);
  // Not one of Clara's calls: another application on the same Twilio account owns it.
  if (!call) return 'ignored';
  if (call.recording_consent === true) {
    await withAgent(env.db, env.agent, (tx) => saveRecording(tx, call.id, { url: report.recordingUrl, sid: report.recordingSid }));
    return 'stored';
  }
  const rest = channel.rest();
  if (!rest) {
    channel.log.warn({ callSid: report.callSid, recordingSid: report.recordingSid }, 'Recording without consent not kept; set TWILIO_ACCOUNT_SID to delete it at Twilio too');
    return 'discarded';
  }
  try {
    await rest.recordings(report.recordingSid).remove();
  } catch (error) {
    // Already gone (a retried callback) is the goal; anything else must be seen by a person.
    if ((error as { status?: number }).status !== 404) {
      channel.log.error({ err: error, recordingSid: report.recordingSid }, 'Could not delete a recording made without consent');
    }
  }
  return 'discarded';
}

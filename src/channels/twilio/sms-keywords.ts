/**
 * Twilio's default SMS keywords on long codes: an opt-out blocks every later message from the
 * number until an opt-in. Twilio sends its own confirmation for these; Clara records the choice
 * on the lead (do_not_contact) so that no channel contacts an opted-out person.
 */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
/** YES is an opt-in only for someone opted out; for everyone else it is an answer to Clara. */
const OPT_IN = new Set(['START', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

export type SmsKeyword = 'opt_out' | 'opt_in' | 'yes' | 'help';

/**
 * The keyword a message is, if it is one: the whole message, one word, any case, trailing
 * punctuation ignored ("Stop." is STOP; "please stop texting me" is a message, as for Twilio).
 * Twilio's Advanced Opt-Out names custom keywords in OptOutType, which wins.
 */
export function smsKeyword(body: string, optOutType?: string): SmsKeyword | undefined {
  const type = optOutType?.trim().toUpperCase();
  if (type === 'STOP') return 'opt_out';
  if (type === 'START') return 'opt_in';
  if (type === 'HELP') return 'help';
  const word = body.trim().replace(/[.!?,;:]+$/u, '').trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word)) return 'opt_in';
  if (word === 'YES') return 'yes';
  if (HELP.has(word)) return 'help';
  return undefined;
}

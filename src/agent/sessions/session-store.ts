import type { Db } from '../../db/database.js';
import { ConflictError, NotFoundError } from '../../server/errors.js';
import type { DialogueState } from '../dialogue/state.js';

export interface Message {
  role: 'assistant' | 'user';
  text: string;
  at: string;
  /** A channel's id for the utterance (Twilio MessageSid, a Gather turn): a retry is answered, not taken again. */
  key?: string;
  /** The caller barged in: `text` is only what they heard (ConversationRelay's utteranceUntilInterrupt). */
  interrupted?: boolean;
}

export interface SessionRow {
  id: string;
  lead_id: string | null;
  call_id: string;
  channel: DialogueState['channel'];
  status: 'active' | 'ended';
  state: DialogueState;
  messages: Message[];
  created_at: string;
}

/** Locks the session for this turn: two turns of one session never interleave. */
export async function lockSession(tx: Db, id: string): Promise<SessionRow> {
  const row = await tx
    .selectFrom('conversations')
    .select(['id', 'lead_id', 'call_id', 'channel', 'status', 'state', 'messages', 'created_at'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!row || !row.call_id) throw new NotFoundError('Session');
  return row as unknown as SessionRow;
}

export function assertActive(session: SessionRow): void {
  if (session.status === 'ended') throw new ConflictError('This session has ended; start a new one');
}

/** The transcript as people read it on the call record. */
export function transcriptOf(messages: Message[], agentName: string): string {
  return messages.map((m) => `${m.role === 'assistant' ? agentName : 'Prospect'}: ${m.text}`).join('\n');
}

export async function saveTurn(
  tx: Db,
  session: SessionRow,
  input: { state: DialogueState; messages: Message[]; leadId: string | undefined; agentName: string },
): Promise<void> {
  await tx
    .updateTable('conversations')
    .set({
      state: JSON.stringify(input.state),
      messages: JSON.stringify(input.messages),
      lead_id: input.leadId ?? null,
    })
    .where('id', '=', session.id)
    .execute();
  await tx
    .updateTable('calls')
    .set({ transcript: transcriptOf(input.messages, input.agentName), lead_id: input.leadId ?? null })
    .where('id', '=', session.call_id)
    .execute();
}

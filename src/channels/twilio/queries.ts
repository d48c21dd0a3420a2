import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Message } from '../../agent/sessions/session-store.js';

/** A Clara session as a channel sees it: what was said, and whether Clara closed it. */
export interface SessionSnapshot {
  id: string;
  call_id: string;
  lead_id: string | null;
  status: 'active' | 'ended';
  messages: Message[];
  done: boolean;
}

type SnapshotRow = { id: string; call_id: string | null; lead_id: string | null; status: string; messages: unknown; state: unknown };

const toSnapshot = (row: SnapshotRow | undefined): SessionSnapshot | undefined =>
  row && row.call_id
    ? {
        id: row.id,
        call_id: row.call_id,
        lead_id: row.lead_id,
        status: row.status as SessionSnapshot['status'],
        messages: (row.messages as Message[]) ?? [],
        done: Boolean((row.state as { done?: boolean } | null)?.done),
      }
    : undefined;

const SNAPSHOT = ['id', 'call_id', 'lead_id', 'status', 'messages', 'state'] as const;

/** The voice session of a Twilio call (its CallSid is the session's external id). */
export async function findVoiceSession(db: Db, callSid: string): Promise<SessionSnapshot | undefined> {
  return toSnapshot(
    await db
      .selectFrom('conversations')
      .select(SNAPSHOT)
      .where('channel', '=', 'voice')
      .where('external_session_id', '=', callSid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
  );
}

export async function findSessionOfCall(db: Db, callId: string): Promise<SessionSnapshot | undefined> {
  return toSnapshot(
    await db.selectFrom('conversations').select(SNAPSHOT).where('call_id', '=', callId).where('deleted_at', 'is', null).executeTakeFirst(),
  );
}

export interface CallRow {
  id: string;
  lead_id: string | null;
  user_id: string | null;
  direction: string;
  provider_call_id: string | null;
  call_start_time: string;
  recording_consent: boolean | null;
  recording_turn: number | null;
  session_id: string | null;
}

const CALL = ['id', 'lead_id', 'user_id', 'direction', 'provider_call_id', 'call_start_time', 'recording_consent', 'recording_turn', 'session_id'] as const;

export async function findCallBySid(db: Db, callSid: string): Promise<CallRow | undefined> {
  return db.selectFrom('calls').select(CALL).where('provider', '=', 'twilio').where('provider_call_id', '=', callSid).executeTakeFirst();
}

export async function findCallById(db: Db, id: string): Promise<CallRow | undefined> {
  return db.selectFrom('calls').select(CALL).where('id', '=', id).executeTakeFirst();
}

/** The call record now speaks for a Twilio call: its CallSid, numbers and direction. */
export async function attachTwilioCall(
  db: Db,
  callId: string,
  call: { callSid: string; from: string | null; to: string | null; direction: 'inbound' | 'outbound' },
): Promise<void> {
  await db
    .updateTable('calls')
    .set({ provider: 'twilio', provider_call_id: call.callSid, from_number: call.from, to_number: call.to, direction: call.direction })
    .where('id', '=', callId)
    // Every update of a call is a line on its lead's timeline: a retried webhook must not add one.
    .where(
      sql<boolean>`(provider, provider_call_id, from_number, to_number, direction) IS DISTINCT FROM
        ('twilio'::text, ${call.callSid}::text, ${call.from}::text, ${call.to}::text, ${call.direction}::text)`,
    )
    .execute();
}

/**
 * Keeps the call's consent in step with what the caller said. The first yes names the turn
 * that starts the recording; a later no withdraws consent (the recording will not be kept).
 * Returns the call as it now is.
 */
export async function syncRecordingConsent(db: Db, callId: string, consent: boolean | undefined, turn: number): Promise<CallRow> {
  if (consent === true) {
    await db
      .updateTable('calls')
      .set({ recording_consent: true, recording_turn: sql<number>`coalesce(recording_turn, ${turn}::int)` })
      .where('id', '=', callId)
      .where((eb) => eb.or([eb('recording_consent', 'is', null), eb('recording_consent', '=', false), eb('recording_turn', 'is', null)]))
      .execute();
  } else if (consent === false) {
    await db.updateTable('calls').set({ recording_consent: false }).where('id', '=', callId).where('recording_consent', 'is not', false).execute();
  }
  const call = await findCallById(db, callId);
  if (!call) throw new Error(`call ${callId} vanished`);
  return call;
}

export async function saveRecording(db: Db, callId: string, recording: { url: string; sid: string }): Promise<void> {
  await db
    .updateTable('calls')
    .set({ recording_url: recording.url, recording_sid: recording.sid })
    .where('id', '=', callId)
    .where(sql<boolean>`(recording_url, recording_sid) IS DISTINCT FROM (${recording.url}::text, ${recording.sid}::text)`)
    .execute();
}

/**
 * Twilio's final word on a call: how long it lasted and when it ended (Twilio's timestamp, else
 * the end already recorded, else now), and for calls nobody talked on, the outcome. A retried
 * callback computes the same values and updates nothing.
 */
export async function finishCall(db: Db, callId: string, end: { at: Date | undefined; durationSeconds: number | undefined; outcome?: string }): Promise<void> {
  const at = end.at?.toISOString() ?? null;
  await sql`
    UPDATE calls SET
      -- Twilio's clock and ours differ slightly; an end before the start would break the record.
      call_end_time = greatest(call_start_time, coalesce(${at}::timestamptz, call_end_time, now())),
      duration_seconds = coalesce(${end.durationSeconds ?? null}::int, duration_seconds),
      outcome = coalesce(${end.outcome ?? null}::text, outcome)
    WHERE id = ${callId}
      AND (call_end_time, duration_seconds, outcome) IS DISTINCT FROM
          (greatest(call_start_time, coalesce(${at}::timestamptz, call_end_time, now())),
           coalesce(${end.durationSeconds ?? null}::int, duration_seconds),
           coalesce(${end.outcome ?? null}::text, outcome))`.execute(db);
}

/** The open SMS conversation with this number (an SMS thread is one session until Clara closes it). */
export async function findOpenSmsSession(db: Db, phone: string): Promise<(SessionSnapshot & { last_at: string }) | undefined> {
  const row = await db
    .selectFrom('conversations as c')
    .innerJoin('calls as k', 'k.id', 'c.call_id')
    .select(['c.id', 'c.call_id', 'c.lead_id', 'c.status', 'c.messages', 'c.state', 'c.updated_at'])
    .where('k.call_type', '=', 'ai_sms')
    .where('k.from_number', '=', phone)
    .where('c.channel', '=', 'sms')
    .where('c.status', '=', 'active')
    .where('c.deleted_at', 'is', null)
    .orderBy('k.call_start_time', 'desc')
    .executeTakeFirst();
  const snapshot = toSnapshot(row);
  return snapshot && row ? { ...snapshot, last_at: row.updated_at } : undefined;
}

/** The recent SMS session that already took the message with this key (a retried webhook). */
export async function findSmsSessionWithMessage(db: Db, phone: string, key: string, since: Date): Promise<SessionSnapshot | undefined> {
  const row = await db
    .selectFrom('conversations as c')
    .innerJoin('calls as k', 'k.id', 'c.call_id')
    .select(['c.id', 'c.call_id', 'c.lead_id', 'c.status', 'c.messages', 'c.state'])
    .where('k.call_type', '=', 'ai_sms')
    .where('k.from_number', '=', phone)
    .where('k.call_start_time', '>=', since.toISOString())
    .where('c.channel', '=', 'sms')
    .where(sql<boolean>`c.messages @> ${JSON.stringify([{ key }])}::jsonb`)
    .executeTakeFirst();
  return toSnapshot(row);
}

/** How many SMS conversations this number has had: the next one's ordinal names it uniquely. */
export async function countSmsSessions(db: Db, phone: string): Promise<number> {
  const row = await db
    .selectFrom('conversations as c')
    .innerJoin('calls as k', 'k.id', 'c.call_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('k.call_type', '=', 'ai_sms')
    .where('k.from_number', '=', phone)
    .where('c.channel', '=', 'sms')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function leadsWithPhone(db: Db, phone: string): Promise<{ id: string; do_not_contact: boolean }[]> {
  return db
    .selectFrom('leads')
    .select(['id', 'do_not_contact'])
    .where('phone', '=', phone)
    .where('deleted_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .execute();
}

export async function isDoNotContact(db: Db, leadId: string): Promise<boolean> {
  const lead = await db.selectFrom('leads').select('do_not_contact').where('id', '=', leadId).executeTakeFirst();
  return lead?.do_not_contact ?? false;
}

/** Serialises opt-out changes for one number: two STOPs at once never create two leads. */
export async function lockPhone(db: Db, phone: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`twilio-sms:${phone}`}))`.execute(db);
}

export async function setLeadsDoNotContact(db: Db, leadIds: string[], value: boolean): Promise<void> {
  if (leadIds.length === 0) return;
  await db.updateTable('leads').set({ do_not_contact: value }).where('id', 'in', leadIds).execute();
}

/** A number that opted out before we knew it: a lead that remembers the opt-out, in the shared pool. */
export async function createOptedOutLead(db: Db, phone: string, agentUserId: string): Promise<string> {
  const lead = await db
    .insertInto('leads')
    .values({
      phone,
      do_not_contact: true,
      agent_id: agentUserId,
      created_by: agentUserId,
      lead_source: 'ai_sms',
      tags: sql`${['sms_opt_out']}::text[]`,
      first_touch_date: sql`now()`,
      last_touch_date: sql`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return lead.id;
}

export async function addLeadActivity(
  db: Db,
  activity: { leadId: string; type: string; subject: string; description?: string; createdBy: string; metadata: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('activities')
    .values({
      activity_type: activity.type,
      subject: activity.subject,
      description: activity.description ?? null,
      lead_id: activity.leadId,
      created_by: activity.createdBy,
      metadata: JSON.stringify(activity.metadata),
    })
    .execute();
}

/** The lead an outbound call is for, as the person placing it may see it (row-level security). */
export async function findCallableLead(tx: Db, leadId: string): Promise<{ id: string; phone: string | null; do_not_contact: boolean } | undefined> {
  return tx.selectFrom('leads').select(['id', 'phone', 'do_not_contact']).where('id', '=', leadId).where('deleted_at', 'is', null).executeTakeFirst();
}

export async function insertOutboundCall(tx: Db, call: { leadId: string; userId: string; from: string; to: string }): Promise<string> {
  const row = await tx
    .insertInto('calls')
    .values({
      lead_id: call.leadId,
      user_id: call.userId,
      call_type: 'ai_voice',
      direction: 'outbound',
      from_number: call.from,
      to_number: call.to,
      provider: 'twilio',
      outcome: 'initiated',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The CallSid Twilio gave the call; kept if a callback already recorded it (they can arrive first). */
export async function setProviderCallId(db: Db, callId: string, callSid: string): Promise<void> {
  await db
    .updateTable('calls')
    .set({ provider_call_id: callSid })
    .where('id', '=', callId)
    .where('provider_call_id', 'is', null)
    .execute();
}

export async function deleteCall(db: Db, callId: string): Promise<void> {
  await db.deleteFrom('calls').where('id', '=', callId).execute();
}

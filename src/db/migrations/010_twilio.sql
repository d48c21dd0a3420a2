-- Telephony through Twilio: recording consent on the call record, and the lookups the voice
-- and SMS webhooks make on every request. Row-level security on calls is unchanged: these are
-- columns of a table whose policies already follow its lead.

-- Seed 004: Clara asks before recording. NULL: not asked or not answered (nothing is recorded);
-- the recording status callback keeps a recording URL only when this is true.
ALTER TABLE calls
  ADD COLUMN recording_consent boolean,
  -- Twilio's RecordingSid, once its recording status callback reported one.
  ADD COLUMN recording_sid text,
  -- The caller's turn whose answer started the recording: a retried webhook for that turn
  -- answers the same TwiML (with the same <Start><Recording>) instead of deciding again.
  ADD COLUMN recording_turn integer CHECK (recording_turn >= 0);

-- An inbound SMS continues the open SMS conversation of its sender's number, and a retried one
-- is found among that number's recent conversations: both look calls up by number.
CREATE INDEX calls_sms_from_number_idx ON calls (from_number, call_start_time) WHERE call_type = 'ai_sms';

-- app.emit_webhook_event runs as the owner (SECURITY DEFINER) so that the change trigger can
-- record events and queue deliveries in tables requests cannot write. Functions are executable
-- by PUBLIC unless revoked, so any request session could have called it directly and forged an
-- event, with deliveries to every subscriber. Only the trigger (which runs as the owner) needs it.
REVOKE EXECUTE ON FUNCTION app.emit_webhook_event(text, text, uuid, jsonb, jsonb) FROM PUBLIC;

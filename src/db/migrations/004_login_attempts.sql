-- Failed logins, kept in the database so that throttling holds across every app node.
CREATE TABLE login_attempts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email      text NOT NULL,
  ip         text,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, created_at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, created_at);
ALTER TABLE login_attempts ENABLE ROW LEVEL SECURITY;

-- Requests may set a password (their own, or anyone's as admin) but never read a hash back.
-- System callers (the CLI, first start) run as the owner without SET ROLE, where role is 'none'.
CREATE FUNCTION app.set_password(target uuid, password_hash text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT (app.is_admin() OR target = app.current_user_id() OR current_setting('role') = 'none') THEN
    RAISE EXCEPTION 'not allowed to set this password' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO user_credentials (user_id, password_hash) VALUES (target, password_hash)
  ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now();
  -- A new password signs the user out everywhere else.
  IF target <> coalesce(app.current_user_id(), '00000000-0000-0000-0000-000000000000') THEN
    DELETE FROM sessions WHERE user_id = target;
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION app.set_password(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.set_password(uuid, text) TO clara_app;

-- A task's comment is its author's words: only the author edits it, moves it to the trash or
-- restores it; an admin may do so to any comment (moderation). 002's child policies let anyone
-- who may write and sees the task change every comment on it.
--
-- Soft delete and restore are UPDATEs (deleted_at), so one restrictive UPDATE policy covers all
-- three; PostgreSQL ANDs it with 002's permissive ones and 014's active_role. A hard DELETE was
-- already admin-only. src/crm/todos/change-todo-comment.ts answers a clear 403 before the
-- statement; this policy is what enforces it.
CREATE POLICY author_or_admin ON todo_comments AS RESTRICTIVE FOR UPDATE TO clara_app
  USING (created_by = (SELECT app.current_user_id()) OR (SELECT app.is_admin()))
  WITH CHECK (created_by = (SELECT app.current_user_id()) OR (SELECT app.is_admin()));

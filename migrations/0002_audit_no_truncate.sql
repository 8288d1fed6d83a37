-- TRUNCATE bypasses row triggers: refuse it as well, so the audit trail can't be emptied.
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();

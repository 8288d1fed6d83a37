CREATE TABLE "dashboard_weeks" (
	"week_start" timestamp with time zone PRIMARY KEY NOT NULL,
	"submitted" integer,
	"expected" integer,
	"answered" integer,
	"median_hours" numeric,
	"version" integer DEFAULT 0 NOT NULL,
	"every_week_version" integer DEFAULT 0 NOT NULL,
	"computed_at" timestamp with time zone
);
--> statement-breakpoint
-- The admin dashboard's figures for weeks that have ended are kept here (decision 006); the
-- dashboard fills a week's row the first time it needs it. A write that changes a kept week's
-- figures marks the week: its version goes up and its figures are cleared, so the next view
-- computes it again. Marking inserts the row when there is none, on purpose: a view computing
-- that week at the same moment, from a snapshot without this write, then meets the row when it
-- stores its figures and leaves them out (it stores only over the version it read). Weeks that
-- haven't ended are never kept, so they aren't marked: the current week's writes touch nothing.
CREATE OR REPLACE FUNCTION dashboard_weeks_mark(moment timestamptz) RETURNS void AS $$
BEGIN
  IF moment < date_trunc('week', clock_timestamp() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' THEN
    INSERT INTO dashboard_weeks (week_start, version)
    VALUES (date_trunc('week', moment AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 1)
    ON CONFLICT (week_start) DO UPDATE
      SET version = dashboard_weeks.version + 1, submitted = NULL, expected = NULL, answered = NULL,
        median_hours = NULL, computed_at = NULL;
  END IF;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Changes that touch every week at once (which cases are active, their opening or cadence)
-- bump the version of the row at '-infinity', which stands for every week: a kept week counts
-- only while it was computed under that version.
CREATE OR REPLACE FUNCTION dashboard_weeks_mark_every_week() RETURNS void AS $$
  INSERT INTO dashboard_weeks (week_start, version) VALUES ('-infinity', 1)
  ON CONFLICT (week_start) DO UPDATE SET version = dashboard_weeks.version + 1;
$$ LANGUAGE sql;
--> statement-breakpoint
-- Adherence counts the check-ins of each week on the active cases.
CREATE OR REPLACE FUNCTION check_ins_mark_dashboard_weeks() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.case_id = NEW.case_id AND OLD.submitted_at = NEW.submitted_at THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM dashboard_weeks_mark(NEW.submitted_at);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at THEN
    PERFORM dashboard_weeks_mark(OLD.submitted_at);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER check_ins_dashboard_weeks
  AFTER INSERT OR DELETE OR UPDATE OF case_id, submitted_at ON check_ins
  FOR EACH ROW EXECUTE FUNCTION check_ins_mark_dashboard_weeks();
--> statement-breakpoint
-- Questions answered count each thread in the week of its first response, with the time from
-- its creation.
CREATE OR REPLACE FUNCTION threads_mark_dashboard_weeks() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.first_response_at IS NOT DISTINCT FROM NEW.first_response_at
      AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.first_response_at IS NOT NULL THEN
    PERFORM dashboard_weeks_mark(NEW.first_response_at);
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.first_response_at IS NOT NULL
      AND (TG_OP = 'DELETE' OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at) THEN
    PERFORM dashboard_weeks_mark(OLD.first_response_at);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER threads_dashboard_weeks
  AFTER INSERT OR DELETE OR UPDATE OF first_response_at, created_at ON threads
  FOR EACH ROW EXECUTE FUNCTION threads_mark_dashboard_weeks();
--> statement-breakpoint
-- Adherence is over the cases active now, from their opening at their cadence: a case becoming
-- or ceasing to be active, or an active case's opening or cadence changing, touches every week.
CREATE OR REPLACE FUNCTION cases_mark_dashboard_weeks() RETURNS trigger AS $$
BEGIN
  IF (TG_OP = 'INSERT' AND NEW.status = 'active')
      OR (TG_OP = 'DELETE' AND OLD.status = 'active')
      OR (TG_OP = 'UPDATE' AND (OLD.status = 'active' OR NEW.status = 'active')
        AND (OLD.status, OLD.opened_at, OLD.check_in_every_days)
          IS DISTINCT FROM (NEW.status, NEW.opened_at, NEW.check_in_every_days)) THEN
    PERFORM dashboard_weeks_mark_every_week();
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cases_dashboard_weeks
  AFTER INSERT OR DELETE OR UPDATE OF status, opened_at, check_in_every_days ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_mark_dashboard_weeks();
--> statement-breakpoint
-- TRUNCATE skips row triggers: emptying any of the three tables touches every week.
CREATE OR REPLACE FUNCTION dashboard_weeks_truncated() RETURNS trigger AS $$
BEGIN
  PERFORM dashboard_weeks_mark_every_week();
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER check_ins_dashboard_weeks_truncate AFTER TRUNCATE ON check_ins
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_weeks_truncated();
--> statement-breakpoint
CREATE TRIGGER threads_dashboard_weeks_truncate AFTER TRUNCATE ON threads
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_weeks_truncated();
--> statement-breakpoint
CREATE TRIGGER cases_dashboard_weeks_truncate AFTER TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_weeks_truncated();

CREATE TABLE "case_counts" (
	"status" "case_status" PRIMARY KEY NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_caseloads" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"lead_cases" integer DEFAULT 0 NOT NULL,
	"support_cases" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_counts" (
	"role" "user_role" NOT NULL,
	"state" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "user_counts_role_state_pk" PRIMARY KEY("role","state")
);
--> statement-breakpoint
DROP INDEX "cases_open_idx";--> statement-breakpoint
ALTER TABLE "staff_caseloads" ADD CONSTRAINT "staff_caseloads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- The admin dashboard's counts are kept as things change instead of counted on every view: the
-- accounts per role and state, the cases per status, and the open cases each person leads and
-- supports. Each trigger adds and subtracts (n = n + 1 is safe under concurrent writers, where a
-- recount from one transaction's snapshot is not), and when a change touches several rows it
-- locks them in key order, so two such changes can't deadlock. dashboard_counts_recount()
-- counts everything again from the tables: after TRUNCATE (which skips row triggers), after a
-- bulk load with triggers off (the benchmark's seed), and below, for the rows already there.

-- An account's state, as the admin's user list shows it.
CREATE OR REPLACE FUNCTION user_count_state(deactivated_at timestamptz, password_hash text) RETURNS text AS $$
  SELECT CASE WHEN deactivated_at IS NOT NULL THEN 'deactivated' WHEN password_hash IS NULL THEN 'invited' ELSE 'active' END;
$$ LANGUAGE sql IMMUTABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION users_count() RETURNS trigger AS $$
BEGIN
  INSERT INTO user_counts (role, state, n)
  SELECT role, state, sum(d)::int
  FROM (
    SELECT OLD.role, user_count_state(OLD.deactivated_at, OLD.password_hash), -1 WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT NEW.role, user_count_state(NEW.deactivated_at, NEW.password_hash), 1 WHERE TG_OP <> 'DELETE'
  ) AS change(role, state, d)
  GROUP BY role, state
  HAVING sum(d) <> 0
  ORDER BY role, state
  ON CONFLICT (role, state) DO UPDATE SET n = user_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_counts
  AFTER INSERT OR DELETE OR UPDATE OF role, deactivated_at, password_hash ON users
  FOR EACH ROW EXECUTE FUNCTION users_count();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cases_count() RETURNS trigger AS $$
BEGIN
  INSERT INTO case_counts (status, n)
  SELECT status, sum(d)::int
  FROM (
    SELECT OLD.status, -1 WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT NEW.status, 1 WHERE TG_OP <> 'DELETE'
  ) AS change(status, d)
  GROUP BY status
  HAVING sum(d) <> 0
  ORDER BY status
  ON CONFLICT (status) DO UPDATE SET n = case_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cases_counts
  AFTER INSERT OR DELETE OR UPDATE OF status ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_count();
--> statement-breakpoint
-- A membership counts while its case is open. The case row is read FOR SHARE: a status change
-- committing meanwhile is waited for and then seen, so a member added as the case closes is
-- counted by exactly one of the two triggers.
CREATE OR REPLACE FUNCTION case_members_caseload() RETURNS trigger AS $$
BEGIN
  INSERT INTO staff_caseloads (user_id, lead_cases, support_cases)
  SELECT user_id, coalesce(sum(d) FILTER (WHERE role = 'lead'), 0)::int, coalesce(sum(d) FILTER (WHERE role = 'support'), 0)::int
  FROM (
    SELECT OLD.user_id, OLD.role, -1 WHERE TG_OP <> 'INSERT'
      AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id AND status <> 'closed' FOR SHARE)
    UNION ALL
    SELECT NEW.user_id, NEW.role, 1 WHERE TG_OP <> 'DELETE'
      AND EXISTS (SELECT 1 FROM cases WHERE id = NEW.case_id AND status <> 'closed' FOR SHARE)
  ) AS change(user_id, role, d)
  GROUP BY user_id
  HAVING coalesce(sum(d) FILTER (WHERE role = 'lead'), 0) <> 0 OR coalesce(sum(d) FILTER (WHERE role = 'support'), 0) <> 0
  ORDER BY user_id
  ON CONFLICT (user_id) DO UPDATE
    SET lead_cases = staff_caseloads.lead_cases + excluded.lead_cases, support_cases = staff_caseloads.support_cases + excluded.support_cases;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER case_members_caseloads
  AFTER INSERT OR DELETE OR UPDATE OF case_id, user_id, role ON case_members
  FOR EACH ROW EXECUTE FUNCTION case_members_caseload();
--> statement-breakpoint
-- A case closing or reopening moves all its members' counts. A case being deleted takes its
-- members' counts with it before they go: by the time the cascade deletes the memberships, the
-- case can no longer be seen, and their own trigger counts nothing.
CREATE OR REPLACE FUNCTION cases_caseload() RETURNS trigger AS $$
DECLARE
  d int;
BEGIN
  IF TG_OP = 'DELETE' THEN
    d := CASE WHEN OLD.status <> 'closed' THEN -1 ELSE 0 END;
  ELSIF (OLD.status = 'closed') = (NEW.status = 'closed') THEN
    d := 0;
  ELSE
    d := CASE WHEN NEW.status = 'closed' THEN -1 ELSE 1 END;
  END IF;
  IF d <> 0 THEN
    INSERT INTO staff_caseloads (user_id, lead_cases, support_cases)
    SELECT user_id, CASE WHEN role = 'lead' THEN d ELSE 0 END, CASE WHEN role = 'support' THEN d ELSE 0 END
    FROM case_members
    WHERE case_id = OLD.id
    ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE
      SET lead_cases = staff_caseloads.lead_cases + excluded.lead_cases, support_cases = staff_caseloads.support_cases + excluded.support_cases;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER cases_caseloads_status
  AFTER UPDATE OF status ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_caseload();
--> statement-breakpoint
CREATE TRIGGER cases_caseloads_delete
  BEFORE DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_caseload();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION dashboard_counts_recount() RETURNS void AS $$
  DELETE FROM user_counts;
  INSERT INTO user_counts (role, state, n)
    SELECT role, user_count_state(deactivated_at, password_hash), count(*) FROM users GROUP BY 1, 2;
  DELETE FROM case_counts;
  INSERT INTO case_counts (status, n) SELECT status, count(*) FROM cases GROUP BY status;
  DELETE FROM staff_caseloads;
  INSERT INTO staff_caseloads (user_id, lead_cases, support_cases)
    SELECT m.user_id, count(*) FILTER (WHERE m.role = 'lead'), count(*) FILTER (WHERE m.role = 'support')
    FROM case_members m JOIN cases c ON c.id = m.case_id
    WHERE c.status <> 'closed'
    GROUP BY m.user_id;
$$ LANGUAGE sql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION dashboard_counts_truncated() RETURNS trigger AS $$
BEGIN
  PERFORM dashboard_counts_recount();
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_counts_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_counts_truncated();
--> statement-breakpoint
CREATE TRIGGER cases_counts_truncate AFTER TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_counts_truncated();
--> statement-breakpoint
CREATE TRIGGER case_members_counts_truncate AFTER TRUNCATE ON case_members
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_counts_truncated();
--> statement-breakpoint
SELECT dashboard_counts_recount();

DROP INDEX "check_ins_submitted_idx";--> statement-breakpoint
DROP INDEX "threads_first_response_idx";--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "steps_total" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "steps_done" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "steps_skipped" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "progress" integer GENERATED ALWAYS AS (case when steps_total = 0 then 0 when steps_total - steps_skipped <= 0 then 100 else floor(100.0 * steps_done / (steps_total - steps_skipped))::int end) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "last_check_in_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "scores_falling" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "cases_progress_idx" ON "cases" USING btree ("progress" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "threads_waiting_idx" ON "threads" USING btree (coalesce("waiting_since", "created_at"),"id") WHERE "threads"."status" = 'awaiting_staff';--> statement-breakpoint
CREATE INDEX "check_ins_submitted_idx" ON "check_ins" USING btree ("submitted_at","case_id");--> statement-breakpoint
CREATE INDEX "threads_first_response_idx" ON "threads" USING btree ("first_response_at","created_at") WHERE "threads"."first_response_at" is not null;--> statement-breakpoint
-- Plan progress per case, kept by the database: the step counts over the case's plans that are
-- not archived. Recounted (a handful of rows) whenever a step is added, removed or changes
-- status, and whenever a plan is assigned, archived, restored or removed.
CREATE OR REPLACE FUNCTION cases_recount_steps(target uuid) RETURNS void AS $$
  UPDATE cases SET steps_total = s.total, steps_done = s.done, steps_skipped = s.skipped
  FROM (
    SELECT count(ps.id)::int AS total,
      (count(*) FILTER (WHERE ps.status = 'done'))::int AS done,
      (count(*) FILTER (WHERE ps.status = 'skipped'))::int AS skipped
    FROM plans p JOIN plan_steps ps ON ps.plan_id = p.id
    WHERE p.case_id = target AND p.archived_at IS NULL
  ) AS s
  WHERE cases.id = target
    AND (cases.steps_total, cases.steps_done, cases.steps_skipped) IS DISTINCT FROM (s.total, s.done, s.skipped);
$$ LANGUAGE sql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION plan_steps_recount_case() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM cases_recount_steps((SELECT case_id FROM plans WHERE id = NEW.plan_id));
  END IF;
  IF TG_OP = 'DELETE' OR OLD.plan_id IS DISTINCT FROM NEW.plan_id THEN
    PERFORM cases_recount_steps((SELECT case_id FROM plans WHERE id = OLD.plan_id));
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER plan_steps_case_progress
  AFTER INSERT OR DELETE OR UPDATE OF status, plan_id ON plan_steps
  FOR EACH ROW EXECUTE FUNCTION plan_steps_recount_case();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION plans_recount_case() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM cases_recount_steps(NEW.case_id);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.case_id IS DISTINCT FROM NEW.case_id THEN
    PERFORM cases_recount_steps(OLD.case_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER plans_case_progress
  AFTER INSERT OR DELETE OR UPDATE OF archived_at, case_id ON plans
  FOR EACH ROW EXECUTE FUNCTION plans_recount_case();
--> statement-breakpoint
-- The newest check-in of each case, and "falling scores": the last three check-ins strictly
-- declining in mood, or strictly declining in progress (newest < middle < oldest); fewer than
-- three never count. Recomputed from the case's last three check-ins whenever one is added,
-- removed or changed.
CREATE OR REPLACE FUNCTION cases_recount_check_ins(target uuid) RETURNS void AS $$
  UPDATE cases SET last_check_in_at = s.last_at, scores_falling = s.falling
  FROM (
    SELECT max(last3.submitted_at) AS last_at,
      coalesce(count(*) = 3 AND (
        coalesce(bool_and(last3.mood < last3.older_mood) FILTER (WHERE last3.n < 3), false)
        OR coalesce(bool_and(last3.progress < last3.older_progress) FILTER (WHERE last3.n < 3), false)
      ), false) AS falling
    FROM (
      SELECT submitted_at, mood, progress,
        row_number() OVER (ORDER BY submitted_at DESC, id DESC) AS n,
        lead(mood) OVER (ORDER BY submitted_at DESC, id DESC) AS older_mood,
        lead(progress) OVER (ORDER BY submitted_at DESC, id DESC) AS older_progress
      FROM check_ins
      WHERE case_id = target
      ORDER BY submitted_at DESC, id DESC
      LIMIT 3
    ) AS last3
  ) AS s
  WHERE cases.id = target
    AND (cases.last_check_in_at, cases.scores_falling) IS DISTINCT FROM (s.last_at, s.falling);
$$ LANGUAGE sql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION check_ins_recount_case() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM cases_recount_check_ins(NEW.case_id);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.case_id IS DISTINCT FROM NEW.case_id THEN
    PERFORM cases_recount_check_ins(OLD.case_id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER check_ins_case_summary
  AFTER INSERT OR DELETE OR UPDATE OF case_id, submitted_at, mood, progress ON check_ins
  FOR EACH ROW EXECUTE FUNCTION check_ins_recount_case();
--> statement-breakpoint
-- The figures for the cases that exist already.
SELECT cases_recount_steps(id), cases_recount_check_ins(id) FROM cases;

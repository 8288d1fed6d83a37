CREATE TABLE "triage_entries" (
	"user_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"priority" "thread_priority" NOT NULL,
	"waiting_since" timestamp with time zone,
	"assignee_id" uuid,
	CONSTRAINT "triage_entries_user_id_thread_id_pk" PRIMARY KEY("user_id","thread_id")
);
--> statement-breakpoint
ALTER TABLE "triage_entries" ADD CONSTRAINT "triage_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triage_entries" ADD CONSTRAINT "triage_entries_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "triage_entries_queue_idx" ON "triage_entries" USING btree ("user_id","priority" DESC NULLS LAST,"waiting_since","thread_id","assignee_id","case_id");--> statement-breakpoint
CREATE INDEX "triage_entries_thread_idx" ON "triage_entries" USING btree ("thread_id");--> statement-breakpoint
-- Each staff member's triage queue, kept as questions and teams change (decision 010): a row per
-- question waiting for staff and per member of its case's team. Every change locks the case row
-- (FOR NO KEY UPDATE) before it reads the team or the case's questions, so a question changing
-- state while someone joins or leaves the team is seen by whichever of the two commits second.
-- The app's own writes already lock the case this way (they record its last activity).
CREATE OR REPLACE FUNCTION triage_entries_for_thread() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM 1 FROM cases WHERE id = OLD.case_id FOR NO KEY UPDATE;
    DELETE FROM triage_entries WHERE thread_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'awaiting_staff' THEN
    PERFORM 1 FROM cases WHERE id = NEW.case_id FOR NO KEY UPDATE;
    INSERT INTO triage_entries (user_id, thread_id, case_id, priority, waiting_since, assignee_id)
      SELECT m.user_id, NEW.id, NEW.case_id, NEW.priority, NEW.waiting_since, NEW.assignee_id
      FROM case_members m WHERE m.case_id = NEW.case_id
      ORDER BY m.user_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER threads_triage_entries
  AFTER INSERT OR DELETE OR UPDATE OF status, priority, waiting_since, assignee_id, case_id ON threads
  FOR EACH ROW EXECUTE FUNCTION triage_entries_for_thread();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION triage_entries_for_member() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM 1 FROM cases WHERE id = OLD.case_id FOR NO KEY UPDATE;
    DELETE FROM triage_entries WHERE user_id = OLD.user_id AND case_id = OLD.case_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM 1 FROM cases WHERE id = NEW.case_id FOR NO KEY UPDATE;
    INSERT INTO triage_entries (user_id, thread_id, case_id, priority, waiting_since, assignee_id)
      SELECT NEW.user_id, t.id, t.case_id, t.priority, t.waiting_since, t.assignee_id
      FROM threads t WHERE t.case_id = NEW.case_id AND t.status = 'awaiting_staff'
      ORDER BY t.id
      ON CONFLICT (user_id, thread_id) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER case_members_triage_entries
  AFTER INSERT OR DELETE OR UPDATE OF case_id, user_id ON case_members
  FOR EACH ROW EXECUTE FUNCTION triage_entries_for_member();
--> statement-breakpoint
-- Everything again from the tables: after TRUNCATE (which skips row triggers), after a bulk load
-- with triggers off (the benchmark's seed), and below, for the rows already there.
CREATE OR REPLACE FUNCTION triage_entries_recount() RETURNS void AS $$
  DELETE FROM triage_entries;
  INSERT INTO triage_entries (user_id, thread_id, case_id, priority, waiting_since, assignee_id)
    SELECT m.user_id, t.id, t.case_id, t.priority, t.waiting_since, t.assignee_id
    FROM threads t JOIN case_members m ON m.case_id = t.case_id
    WHERE t.status = 'awaiting_staff';
$$ LANGUAGE sql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION triage_entries_truncated() RETURNS trigger AS $$
BEGIN
  PERFORM triage_entries_recount();
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER threads_triage_entries_truncate AFTER TRUNCATE ON threads
  FOR EACH STATEMENT EXECUTE FUNCTION triage_entries_truncated();
--> statement-breakpoint
CREATE TRIGGER case_members_triage_entries_truncate AFTER TRUNCATE ON case_members
  FOR EACH STATEMENT EXECUTE FUNCTION triage_entries_truncated();
--> statement-breakpoint
SELECT triage_entries_recount();

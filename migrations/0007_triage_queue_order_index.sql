DROP INDEX "threads_queue_idx";--> statement-breakpoint
CREATE INDEX "threads_queue_idx" ON "threads" USING btree ("status","priority" DESC NULLS LAST,"waiting_since","id");
ALTER TABLE "posts" ADD COLUMN "order_key" "bytea";--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "shared_order_key" "bytea";--> statement-breakpoint
-- Each post's place in the thread view's order, kept on the post (decision 012), so a page of a
-- long thread is a sort of its posts' keys instead of a walk down its replies level by level.
-- The order: a thread's roots (posts whose parent isn't an earlier post of the thread) in the
-- order written, each followed by its replies, depth first, siblings in the order written. A
-- key is the sibling ranks from the root down, each as bytes that sort as the ranks do and never
-- start one another: one byte (0x01-0x7f) for the first 127 siblings, four with the top bit set
-- beyond. shared_order_key is the same order among shared posts only (what a client sees: a
-- shared post under a note, or under nothing they can see, starts a tree of its own).
CREATE OR REPLACE FUNCTION post_rank_bytes(rank bigint) RETURNS bytea AS $$
  SELECT CASE WHEN rank < 128 THEN substring(int4send(rank::int) FROM 4) ELSE int4send((rank - 2147483648)::int) END
$$ LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;
--> statement-breakpoint
-- The walk that gives the keys of the given threads' posts (shared_only: of their shared posts).
CREATE OR REPLACE FUNCTION posts_order_walk(thread_ids uuid[], shared_only boolean)
RETURNS TABLE (id uuid, order_key bytea) AS $$
  WITH RECURSIVE tree (id, thread_id, created_at, path) AS (
    SELECT p.id, p.thread_id, p.created_at, post_rank_bytes(row_number() OVER (PARTITION BY p.thread_id ORDER BY p.created_at, p.id))
    FROM posts p
    WHERE p.thread_id = ANY (thread_ids) AND (NOT shared_only OR p.visibility = 'shared')
      AND NOT EXISTS (
        SELECT 1 FROM posts up
        WHERE up.id = p.parent_id AND up.thread_id = p.thread_id AND (NOT shared_only OR up.visibility = 'shared')
          AND (up.created_at, up.id) < (p.created_at, p.id))
    UNION ALL
    SELECT c.id, c.thread_id, c.created_at, t.path || post_rank_bytes(row_number() OVER (PARTITION BY c.parent_id ORDER BY c.created_at, c.id))
    FROM tree t JOIN posts c ON c.parent_id = t.id
    WHERE c.thread_id = t.thread_id AND (NOT shared_only OR c.visibility = 'shared') AND (c.created_at, c.id) > (t.created_at, t.id)
  )
  SELECT id, path FROM tree
$$ LANGUAGE sql STABLE;
--> statement-breakpoint
-- Every key of the given threads' posts from scratch; writes only the keys that change.
CREATE OR REPLACE FUNCTION posts_order_recount(thread_ids uuid[]) RETURNS void AS $$
  UPDATE posts p SET order_key = s.order_key, shared_order_key = sh.order_key
  FROM posts_order_walk(thread_ids, false) s LEFT JOIN posts_order_walk(thread_ids, true) sh ON sh.id = s.id
  WHERE p.id = s.id AND (p.order_key IS DISTINCT FROM s.order_key OR p.shared_order_key IS DISTINCT FROM sh.order_key)
$$ LANGUAGE sql;
--> statement-breakpoint
-- A post written as the app writes a reply (the newest post of its thread, answering an
-- earlier post of it), or a thread's first post, gets its keys here: its parent's keys and its
-- rank among its parent's earlier replies. Anything else is left without keys, and the
-- statement's end walks its whole thread again (posts_order_after_statement). The thread's row is
-- locked first (the app's writes hold it already), so two posts written at once into one thread
-- are ranked one after the other: each statement below sees what committed before it.
CREATE OR REPLACE FUNCTION posts_order_key() RETURNS trigger AS $$
DECLARE
  parent record;
  replies bigint;
  shared_replies bigint;
BEGIN
  NEW.order_key := NULL;
  NEW.shared_order_key := NULL;
  PERFORM 1 FROM threads WHERE id = NEW.thread_id FOR NO KEY UPDATE;
  IF EXISTS (
    SELECT 1 FROM posts p
    WHERE p.thread_id = NEW.thread_id AND p.created_at >= NEW.created_at AND (p.created_at, p.id) > (NEW.created_at, NEW.id)
  ) THEN
    RETURN NEW;
  END IF;
  IF NEW.parent_id IS NULL THEN
    IF NOT EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = NEW.thread_id) THEN
      NEW.order_key := post_rank_bytes(1);
      IF NEW.visibility = 'shared' THEN NEW.shared_order_key := post_rank_bytes(1); END IF;
    END IF;
    RETURN NEW;
  END IF;
  SELECT p.id, p.created_at, p.visibility, p.order_key, p.shared_order_key INTO parent
  FROM posts p WHERE p.id = NEW.parent_id AND p.thread_id = NEW.thread_id;
  IF NOT FOUND OR parent.order_key IS NULL
    OR (NEW.visibility = 'shared' AND (parent.visibility <> 'shared' OR parent.shared_order_key IS NULL)) THEN
    RETURN NEW;
  END IF;
  SELECT count(*), count(*) FILTER (WHERE c.visibility = 'shared') INTO replies, shared_replies
  FROM posts c
  WHERE c.parent_id = parent.id AND c.thread_id = NEW.thread_id AND (c.created_at, c.id) > (parent.created_at, parent.id);
  NEW.order_key := parent.order_key || post_rank_bytes(replies + 1);
  IF NEW.visibility = 'shared' THEN NEW.shared_order_key := parent.shared_order_key || post_rank_bytes(shared_replies + 1); END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER posts_order_key BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION posts_order_key();
--> statement-breakpoint
-- At the end of a statement that wrote posts: the threads it left a post unkeyed in (inserts
-- the trigger above didn't key), or deleted posts from (the replies left behind may start trees
-- of their own), walked again.
CREATE OR REPLACE FUNCTION posts_order_after_statement() RETURNS trigger AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT i.thread_id) INTO touched FROM inserted i WHERE i.order_key IS NULL;
  ELSE
    SELECT array_agg(DISTINCT r.thread_id) INTO touched
    FROM removed r WHERE EXISTS (SELECT 1 FROM posts p WHERE p.thread_id = r.thread_id);
  END IF;
  IF touched IS NOT NULL THEN PERFORM posts_order_recount(touched); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER posts_order_after_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION posts_order_after_statement();
--> statement-breakpoint
CREATE TRIGGER posts_order_after_delete AFTER DELETE ON posts REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION posts_order_after_statement();
--> statement-breakpoint
-- Posts moved, re-parented, re-dated, shown or hidden (the app does none of these): their
-- threads walked again.
CREATE OR REPLACE FUNCTION posts_order_after_update() RETURNS trigger AS $$
BEGIN
  PERFORM posts_order_recount(ARRAY[OLD.thread_id, NEW.thread_id]);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER posts_order_after_update AFTER UPDATE OF thread_id, parent_id, created_at, visibility ON posts
  FOR EACH ROW WHEN (
    OLD.thread_id IS DISTINCT FROM NEW.thread_id OR OLD.parent_id IS DISTINCT FROM NEW.parent_id
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.visibility IS DISTINCT FROM NEW.visibility)
  EXECUTE FUNCTION posts_order_after_update();
--> statement-breakpoint
SELECT posts_order_recount(ARRAY(SELECT id FROM threads));

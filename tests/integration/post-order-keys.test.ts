import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addPost, startThread } from "~/models/threads.server";
import { db } from "../../db/client";
import { databaseHandle } from "../../db/handle";
import { posts } from "../../db/schema";
import { createUser, insertCase } from "../support/factories";
import { untilSomeoneWaits } from "../support/lock-waits";
import { seededRandom, threadViewOrder } from "../support/thread-order";

// Each post keeps its place in the thread view's order (order_key, and shared_order_key for what
// a client sees), written by triggers (migration 0019, decision 012); the thread page sorts by
// it. Whatever is written, and however, sorting a thread's posts by their keys must give the
// order the thread view builds from parents and times (buildThreadTree), for staff and clients.

type Row = { id: string; parentId: string | null; createdAt: Date; visibility: "shared" | "internal"; orderKey: string | null; sharedKey: string | null };

/** The thread's posts with their keys (as hex), in the order written. */
async function rowsOf(threadId: string): Promise<Row[]> {
  return db
    .select({
      id: posts.id,
      parentId: posts.parentId,
      createdAt: posts.createdAt,
      visibility: posts.visibility,
      orderKey: sql<string | null>`encode(${posts.orderKey}, 'hex')`,
      sharedKey: sql<string | null>`encode(${posts.sharedOrderKey}, 'hex')`,
    })
    .from(posts)
    .where(eq(posts.threadId, threadId))
    .orderBy(asc(posts.createdAt), asc(posts.id));
}

const byKey = (rows: Row[], key: "orderKey" | "sharedKey") =>
  [...rows].sort((a, b) => (a[key]! < b[key]! ? -1 : a[key]! > b[key]! ? 1 : 0)).map((r) => r.id);

/** Every post keyed, and the keys sorting into the view's order, for staff (all posts) and clients (shared ones). */
async function expectKeysInViewOrder(threadId: string) {
  const rows = await rowsOf(threadId);
  const shared = rows.filter((r) => r.visibility === "shared");
  expect(rows.filter((r) => r.orderKey === null)).toEqual([]);
  expect(shared.filter((r) => r.sharedKey === null)).toEqual([]);
  expect(rows.filter((r) => r.visibility === "internal" && r.sharedKey !== null)).toEqual([]);
  // No two posts share a place (ties would leave the order to chance).
  expect(new Set(rows.map((r) => r.orderKey)).size).toBe(rows.length);
  expect(new Set(shared.map((r) => r.sharedKey)).size).toBe(shared.length);
  expect(byKey(rows, "orderKey")).toEqual(threadViewOrder(rows));
  expect(byKey(shared, "sharedKey")).toEqual(threadViewOrder(shared));
  // And the same as the walk from scratch that bulk loads use.
  const walked = await db
    .select({ id: sql<string>`w.id`, key: sql<string>`encode(w.order_key, 'hex')`, shared: sql<string | null>`encode(s.order_key, 'hex')` })
    .from(sql`posts_order_walk(array[${threadId}]::uuid[], false) w left join posts_order_walk(array[${threadId}]::uuid[], true) s on s.id = w.id`);
  expect(Object.fromEntries(walked.map((w) => [w.id, [w.key, w.shared]]))).toEqual(Object.fromEntries(rows.map((r) => [r.id, [r.orderKey, r.sharedKey]])));
  return rows;
}

async function setup() {
  const lead = await createUser({ role: "coach", name: "Theo Lead" });
  const support = await createUser({ role: "therapist", name: "Casey Support" });
  const client = await createUser({ role: "client", name: "Jordan Client" });
  const { case: c } = await insertCase({ lead, support: [support], client });
  return { lead, support, client, caseId: c.id };
}

/** How many times posts_order_recount (the walk over a whole thread) ran in this transaction. */
async function recounts(tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) {
  const [row] = await tx
    .select({ calls: sql<number>`coalesce(sum(calls), 0)::int` })
    .from(sql`pg_stat_xact_user_functions`)
    .where(sql`funcname = 'posts_order_recount'`);
  return row!.calls;
}

describe("each post's place in its thread", () => {
  it("follows a conversation written through the app: replies at every depth, notes and replies to notes", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Where do we start?", body: "It feels like too much." });
    const random = seededRandom(4242);
    const written: { id: string; internal: boolean }[] = [{ id: question.id, internal: false }];
    for (let i = 0; i < 60; i++) {
      const roll = random();
      const parent = roll < 0.5 ? written.at(-1)! : roll < 0.85 ? written[Math.floor(random() * written.length)]! : written[0]!;
      const staff = parent.internal || random() < 0.6;
      const internal = parent.internal || (staff && random() < 0.2);
      const author = !staff ? s.client : i % 2 ? s.lead : s.support;
      const { post } = await addPost(author, thread.id, { parentId: parent.id, body: `Message ${i}`, visibility: internal ? "internal" : "shared" });
      written.push({ id: post.id, internal });
    }
    // A reply without a parent answers the question.
    await addPost(s.client, thread.id, { body: "And one more thing." });
    const rows = await expectKeysInViewOrder(thread.id);
    expect(rows).toHaveLength(62);
    // The shape this test needs: internal notes, and an order that isn't the order written.
    expect(rows.some((r) => r.visibility === "internal")).toBe(true);
    expect(byKey(rows, "orderKey")).not.toEqual(rows.map((r) => r.id));
  });

  it("keys a reply written as the app writes one from its parent, and walks the thread again only for anything else", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Sleep", body: "I wake at four." });
    const at = (seconds: number) => new Date(question.createdAt.getTime() + seconds * 1000);
    const insert = (tx: Parameters<typeof recounts>[0], values: { parentId: string | null; createdAt: Date; visibility?: "shared" | "internal" }) =>
      tx
        .insert(posts)
        .values({ threadId: thread.id, authorId: s.lead.id, body: "…", ...values })
        .returning({ id: posts.id })
        .then(([row]) => row!.id);

    await db.transaction(async (tx) => {
      await tx.execute(sql`set local track_functions = 'all'`);
      // The newest post, under an earlier one: keyed on the spot.
      const first = await insert(tx, { parentId: question.id, createdAt: at(10) });
      await insert(tx, { parentId: first, createdAt: at(20), visibility: "internal" });
      await insert(tx, { parentId: question.id, createdAt: at(30) });
      expect(await recounts(tx)).toBe(0);
      // Older than the newest: the thread walked again, once for the statement.
      await insert(tx, { parentId: first, createdAt: at(15) });
      expect(await recounts(tx)).toBe(1);
      // A shared post under a note (the app refuses one; imported data may hold it) starts a tree of its own for clients.
      const [note] = await tx.select({ id: posts.id }).from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.visibility, "internal")));
      await insert(tx, { parentId: note!.id, createdAt: at(40) });
      expect(await recounts(tx)).toBe(2);
      // A second post without a parent: a second root, walked.
      await insert(tx, { parentId: null, createdAt: at(50) });
      expect(await recounts(tx)).toBe(3);
    });
    await expectKeysInViewOrder(thread.id);
  });

  it("keeps the order for posts loaded in any order, written before their parent, under parents of other threads, or with more than 127 siblings", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Wide", body: "Many answers" });
    const { thread: other, post: elsewhere } = await startThread(s.client, s.caseId, { title: "Other", body: "Another question" });
    const at = (i: number) => new Date(question.createdAt.getTime() + i * 1000);
    const replies = Array.from({ length: 140 }, (_, i) => ({ id: crypto.randomUUID(), parentId: question.id, createdAt: at(i + 1) }));
    const under = [0, 126, 127, 139].map((n, i) => ({ id: crypto.randomUUID(), parentId: replies[n]!.id, createdAt: at(300 + i), visibility: i % 2 ? ("internal" as const) : ("shared" as const) }));
    const notes = under.filter((u) => u.visibility === "internal").map((u, i) => ({ id: crypto.randomUUID(), parentId: u.id, createdAt: at(400 + i), visibility: "internal" as const }));
    const odd = [
      { id: crypto.randomUUID(), parentId: replies[139]!.id, createdAt: at(0.5) }, // before its parent
      { id: crypto.randomUUID(), parentId: elsewhere.id, createdAt: at(500) }, // a parent in another thread
      { id: crypto.randomUUID(), parentId: crypto.randomUUID(), createdAt: at(501) }, // a parent that doesn't exist
      { id: crypto.randomUUID(), parentId: notes[0]!.id, createdAt: at(502) }, // shared, under a note
    ];
    const all = [...replies, ...under, ...notes, ...odd];
    // Loaded newest first, in two statements.
    const values = all.reverse().map((p) => ({ visibility: "shared" as const, ...p, threadId: thread.id, authorId: s.lead.id, body: "…" }));
    await db.insert(posts).values(values.slice(0, 80));
    await db.insert(posts).values(values.slice(80));
    const rows = await expectKeysInViewOrder(thread.id);
    expect(rows).toHaveLength(1 + all.length);
    // Beyond 127 siblings a rank takes four bytes and still sorts after the first 127.
    const keyOf = new Map(rows.map((r) => [r.id, r.orderKey!]));
    expect(keyOf.get(replies[126]!.id)).toHaveLength(4);
    expect(keyOf.get(replies[127]!.id)).toHaveLength(10);
    await expectKeysInViewOrder(other.id);
  });

  it("follows posts moved, re-parented, hidden, shown and deleted", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Moves", body: "Start" });
    const { thread: other } = await startThread(s.client, s.caseId, { title: "Other", body: "Elsewhere" });
    const a = (await addPost(s.lead, thread.id, { parentId: question.id, body: "A" })).post;
    const b = (await addPost(s.client, thread.id, { parentId: a.id, body: "B" })).post;
    const c = (await addPost(s.lead, thread.id, { parentId: b.id, body: "C" })).post;
    const d = (await addPost(s.support, thread.id, { parentId: question.id, body: "D" })).post;
    await expectKeysInViewOrder(thread.id);

    await db.update(posts).set({ parentId: d.id }).where(eq(posts.id, b.id));
    await expectKeysInViewOrder(thread.id);
    await db.update(posts).set({ visibility: "internal" }).where(eq(posts.id, b.id));
    await expectKeysInViewOrder(thread.id);
    await db.update(posts).set({ visibility: "shared" }).where(eq(posts.id, b.id));
    await db.update(posts).set({ createdAt: new Date(question.createdAt.getTime() - 1000) }).where(eq(posts.id, d.id));
    await expectKeysInViewOrder(thread.id);
    await db.update(posts).set({ threadId: other.id }).where(eq(posts.id, a.id));
    await expectKeysInViewOrder(thread.id);
    await expectKeysInViewOrder(other.id);
    // Deleted: its replies start trees of their own.
    await db.delete(posts).where(eq(posts.id, d.id));
    const rows = await expectKeysInViewOrder(thread.id);
    expect(rows.map((r) => r.id).sort()).toEqual([question.id, b.id, c.id].sort());
    // An edit changes no place.
    const before = await rowsOf(other.id);
    await db.update(posts).set({ body: "A, edited" }).where(eq(posts.id, a.id));
    expect(await rowsOf(other.id)).toEqual(before);
  });

  it("is written from scratch by posts_order_recount after a load that bypassed the triggers", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "Loaded", body: "Start" });
    for (let i = 0; i < 6; i++) await addPost(i % 2 ? s.client : s.lead, thread.id, { parentId: question.id, body: `Reply ${i}` });
    const kept = await expectKeysInViewOrder(thread.id);
    await db.update(posts).set({ orderKey: null, sharedOrderKey: null }).where(eq(posts.threadId, thread.id));
    await db.execute(sql`select posts_order_recount(array[${thread.id}]::uuid[])`);
    expect(await expectKeysInViewOrder(thread.id)).toEqual(kept);
  });
});

// Two connections at once: PGlite has one, so this runs against Postgres only.
const { kind } = await databaseHandle();

describe.runIf(kind === "postgres")("each post's place while two replies are written into one thread at once", () => {
  it("ranks the second after the first, even for writers that don't lock the thread as the app does", async () => {
    const s = await setup();
    const { thread, post: question } = await startThread(s.client, s.caseId, { title: "At once", body: "Two answers" });
    const reply = (seconds: number) =>
      db.insert(posts).values({
        threadId: thread.id,
        parentId: question.id,
        authorId: s.lead.id,
        body: `Answer at ${seconds}`,
        createdAt: new Date(question.createdAt.getTime() + seconds * 1000),
      });
    let second!: Promise<unknown>;
    await db.transaction(async (tx) => {
      await tx.insert(posts).values({ threadId: thread.id, parentId: question.id, authorId: s.support.id, body: "First", createdAt: new Date(question.createdAt.getTime() + 1000) });
      // The other reply starts while this one is uncommitted, and waits for it on the thread's row.
      second = reply(2).execute();
      await untilSomeoneWaits(tx);
    });
    await second;
    const rows = await expectKeysInViewOrder(thread.id);
    expect(rows).toHaveLength(3);
  });
});
